package dev.mailgateway.pop3;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesRegex;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.account.Passwords;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;

/** The service's limits over real sockets: connections per client, and what the metrics say of them. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class Pop3LimitsTest {

    /** pop3.max-connections-per-client's default. */
    private static final int PER_CLIENT = 50;

    @Inject
    Pop3Server server;

    @Inject
    Pool pool;

    @Test
    void oneClientAddressGetsAtMostItsShareOfConnections() throws Exception {
        List<LineClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_CLIENT; i++) {
                LineClient c = new LineClient(server.port());
                c.expectStart("+OK ");
                open.add(c);
            }
            try (LineClient refused = new LineClient(server.port())) {
                refused.expect("-ERR [SYS/TEMP] Too many connections, try again later");
                assertNull(refused.line(), "closed after the refusal");
            }
            open.remove(0).close();
            // the place is given back once the server has seen the close
            LineClient again = null;
            for (int attempt = 0; attempt < 50 && again == null; attempt++) {
                LineClient c = new LineClient(server.port());
                if (c.line().startsWith("+OK ")) {
                    again = c;
                } else {
                    c.close();
                    Thread.sleep(50);
                }
            }
            if (again == null) {
                throw new AssertionError("no place again after a connection closed");
            }
            open.add(again);
        } finally {
            for (LineClient c : open) {
                c.close();
            }
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pop3_connections_refused_total"))
                .body(containsString("pop3_sessions_active"));
    }

    @Test
    void aSecondLoginOnABusyMaildropIsCountedAsALockConflict() throws Exception {
        String address = "busy-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address, password_hash) values ($1, $2)").execute(Tuple.of(address, Passwords.hash("pw")))
                .await().indefinitely();
        try (LineClient first = new LineClient(server.port()); LineClient second = new LineClient(server.port())) {
            first.expectStart("+OK ");
            second.expectStart("+OK ");
            first.send("USER " + address + "\r\nPASS pw\r\n");
            first.expect("+OK Send PASS");
            first.expectStart("+OK Maildrop has 0 messages");
            second.send("USER " + address + "\r\nPASS pw\r\n");
            second.expect("+OK Send PASS");
            second.expect("-ERR [IN-USE] Maildrop is in use by another session");
            first.send("QUIT\r\n");
            first.expectStart("+OK ");
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(matchesRegex("(?s).*pop3_lock_conflicts_total [1-9].*"))
                .body(containsString("pop3_logins_total{result=\"in-use\"}"));
    }
}
