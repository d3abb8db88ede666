package dev.mailgateway.pop3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** STLS (RFC 2595) and the POP3S port with the JDK's TLS client, against the real server and the local key pair. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class Pop3TlsTest {

    @Inject
    Pool pool;

    @Inject
    Pop3Server server;

    @Test
    void stlsStartsTlsAndDropsPlaintextSentAfterIt() throws Exception {
        String address = account("tls secret");
        try (LineClient c = new LineClient(server.port())) {
            c.expectStart("+OK ");
            c.send("CAPA\r\n");
            c.expect("+OK Capability list follows");
            assertTrue(c.linesUntilDot().contains("STLS"));
            // a man in the middle's command pipelined behind STLS must not run inside the TLS session
            c.send("STLS\r\nUSER " + address + "\r\n");
            c.expect("+OK Begin TLS negotiation");
            c.startTls();
            assertTrue(c.isEncrypted());
            c.send("CAPA\r\n");
            c.expect("+OK Capability list follows");
            List<String> secure = c.linesUntilDot();
            assertFalse(secure.contains("STLS"), secure.toString());
            assertTrue(secure.contains("USER"), secure.toString());
            c.send("PASS tls secret\r\n");
            c.expect("-ERR Send USER first");
            c.send("STLS\r\n");
            c.expect("-ERR STLS not available on this connection");
            c.send("USER " + address + "\r\nPASS tls secret\r\n");
            c.expect("+OK Send PASS");
            c.expect("+OK Maildrop has 0 messages (0 octets)");
            c.send("QUIT\r\n");
            c.expectStart("+OK ");
        }
    }

    @Test
    void pop3sSpeaksTlsFromTheFirstByte() throws Exception {
        String address = account("pop3s secret");
        try (LineClient c = LineClient.implicitTls(server.tlsPort())) {
            c.expectStart("+OK ");
            c.send("CAPA\r\n");
            c.expect("+OK Capability list follows");
            List<String> capabilities = c.linesUntilDot();
            assertFalse(capabilities.contains("STLS"), capabilities.toString());
            c.send("USER " + address + "\r\nPASS pop3s secret\r\n");
            c.expect("+OK Send PASS");
            c.expect("+OK Maildrop has 0 messages (0 octets)");
        }
    }

    private String account(String password) {
        String address = "tls-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address, password_hash) values ($1, $2)")
                .execute(Tuple.of(address, Passwords.hash(password))).await().indefinitely();
        return address;
    }
}
