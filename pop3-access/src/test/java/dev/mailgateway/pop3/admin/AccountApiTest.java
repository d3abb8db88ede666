package dev.mailgateway.pop3.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.pop3.Pop3Server;
import dev.mailgateway.pop3.apop.ApopSecrets;

/** The account admin API of CONTRACT.md against the real database. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class AccountApiTest {

    @Inject
    Pool pool;

    @Inject
    Pop3Server server;

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer test-admin-token").contentType(ContentType.JSON);
    }

    private static String newAddress() {
        return "api-" + UUID.randomUUID() + "@example.test";
    }

    @Test
    void everyCallNeedsTheToken() {
        given().get("/api/accounts").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").get("/api/accounts").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"address\":\"x@example.test\",\"password\":\"p\"}")
                .post("/api/accounts").then().statusCode(401);
    }

    @Test
    void accountLifecycle() {
        String address = newAddress();
        admin().body("{\"address\":\"" + address.toUpperCase() + "\",\"password\":\"s3cret\",\"quotaBytes\":1000}")
                .post("/api/accounts").then().statusCode(201);
        admin().body("{\"address\":\"" + address + "\",\"password\":\"other\"}").post("/api/accounts").then().statusCode(409);
        admin().get("/api/accounts").then().statusCode(200)
                .body("address", hasItem(address))
                .body("find { it.address == '" + address + "' }.quotaBytes", org.hamcrest.Matchers.is(1000))
                .body("find { it.address == '" + address + "' }.messages", org.hamcrest.Matchers.is(0));

        String hash = storedHash(address);
        assertTrue(hash.startsWith("$2"), "bcrypt, not plaintext: " + hash);
        admin().body("{\"password\":\"changed\"}").put("/api/accounts/" + address + "/password").then().statusCode(204);
        assertTrue(!storedHash(address).equals(hash), "new hash");
        admin().body("{\"password\":\"x\"}").put("/api/accounts/" + newAddress() + "/password").then().statusCode(404);

        admin().delete("/api/accounts/" + address).then().statusCode(204);
        admin().delete("/api/accounts/" + address).then().statusCode(404);
    }

    /** The account's mailbox goes with it, and the bodies only it held; a body another mailbox holds stays. */
    @Test
    void deletingAnAccountTakesItsMailAndTheBodiesOnlyItHeld() {
        String leaving = newAddress();
        String staying = newAddress();
        for (String address : new String[] {leaving, staying}) {
            admin().body("{\"address\":\"" + address + "\",\"password\":\"pw\"}").post("/api/accounts").then().statusCode(201);
        }
        String own = deliver(leaving);
        String shared = deliver(leaving, staying);

        admin().delete("/api/accounts/" + leaving).then().statusCode(204);

        assertEquals(0, count("select 1 from message_body where queue_id = $1", own), "the body only it held");
        assertEquals(1, count("select 1 from message_body where queue_id = $1", shared), "the body another mailbox holds");
        assertEquals(1, count("select 1 from mailbox_entry where queue_id = $1", shared), "the other mailbox's entry");
    }

    /**
     * A large mailbox goes in one delete, its bodies with it: the schema's
     * trigger holds no lock per body (an advisory lock each once ran
     * PostgreSQL's shared lock table out here).
     */
    @Test
    void deletingAnAccountWithFortyThousandMessagesTakesThemAll() {
        String address = newAddress();
        admin().body("{\"address\":\"" + address + "\",\"password\":\"pw\"}").post("/api/accounts").then().statusCode(201);
        String prefix = "big" + UUID.randomUUID().toString().substring(0, 8);
        pool.preparedQuery("with bodies as (insert into message_body (queue_id, sender, received_at, size_bytes, content)"
                + " select $1 || n, '', now(), 4, '\\x6869210a'::bytea from generate_series(1, 40000) n returning id, queue_id)"
                + " insert into mailbox_entry (account_id, body_id, queue_id, size_bytes)"
                + " select a.id, bodies.id, bodies.queue_id, 4 from account a, bodies where a.address = $2")
                .execute(Tuple.of(prefix, address)).await().indefinitely();

        admin().delete("/api/accounts/" + address).then().statusCode(204);

        assertEquals(0, count("select 1 from message_body where queue_id like $1 || '%'", prefix));
    }

    /** One message, stored once and delivered to each of {@code addresses}; its queue id. */
    private String deliver(String... addresses) {
        String queueId = QueueId.next();
        pool.preparedQuery("with body as (insert into message_body (queue_id, sender, received_at, size_bytes, content)"
                + " values ($1, '', now(), 4, '\\x6869210a'::bytea) returning id)"
                + " insert into mailbox_entry (account_id, body_id, queue_id, size_bytes)"
                + " select a.id, body.id, $1, 4 from account a, body where a.address = any($2)")
                .execute(Tuple.of(queueId, addresses)).await().indefinitely();
        return queueId;
    }

    private int count(String sql, String queueId) {
        return pool.preparedQuery(sql).execute(Tuple.of(queueId)).await().indefinitely().size();
    }

    @Test
    void refusesBadInput() {
        admin().body("{\"address\":\"someone@elsewhere.example\",\"password\":\"p\"}").post("/api/accounts").then().statusCode(400);
        admin().body("{\"address\":\"not an address\",\"password\":\"p\"}").post("/api/accounts").then().statusCode(400);
        // the address model's refusals (issue 15): a literal, and a local part that case folding takes past 64 octets
        admin().body("{\"address\":\"x@[192.0.2.1]\",\"password\":\"p\"}").post("/api/accounts").then().statusCode(400);
        admin().body("{\"address\":\"" + "\u0130".repeat(32) + "@example.test\",\"password\":\"p\"}").post("/api/accounts").then().statusCode(400);
        admin().body("{\"address\":\"" + newAddress() + "\"}").post("/api/accounts").then().statusCode(400);
        admin().body("{\"address\":\"" + newAddress() + "\",\"password\":\"p\",\"quotaBytes\":-1}").post("/api/accounts").then().statusCode(400);
    }

    @Test
    void postmasterExistsAndCannotBeDeleted() {
        admin().get("/api/accounts").then().statusCode(200).body("address", hasItem("postmaster@example.test"));
        admin().delete("/api/accounts/postmaster@example.test").then().statusCode(409);
    }

    @Test
    void apopSecretIsStoredEncryptedAndLogsIn() throws Exception {
        String address = newAddress();
        admin().body("{\"address\":\"" + address + "\",\"password\":\"p\"}").post("/api/accounts").then().statusCode(201);
        try (LineClient c = new LineClient(server.port())) {
            String timestamp = c.expectStart("+OK ").replaceAll(".* ", "");
            c.send("APOP " + address + " " + md5Hex(timestamp + "tanstaaf") + "\r\n");
            c.expect("-ERR [AUTH] APOP is not enabled for this account: use USER/PASS or AUTH");
        }
        admin().body("{\"secret\":\"tanstaaf\"}").put("/api/accounts/" + address + "/apop-secret").then().statusCode(204);
        admin().body("{\"secret\":\"\"}").put("/api/accounts/" + address + "/apop-secret").then().statusCode(400);
        admin().body("{\"secret\":\"x\"}").put("/api/accounts/" + newAddress() + "/apop-secret").then().statusCode(404);

        byte[] stored = pool.preparedQuery("select apop_secret from account where address = $1").execute(Tuple.of(address))
                .await().indefinitely().iterator().next().getBuffer(0).getBytes();
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains("tanstaaf"), "never stored as plaintext");

        try (LineClient c = new LineClient(server.port())) {
            String timestamp = c.expectStart("+OK ").replaceAll(".* ", "");
            c.send("APOP " + address + " " + md5Hex(timestamp + "tanstaaf") + "\r\nQUIT\r\n");
            c.expect("+OK Maildrop has 0 messages (0 octets)");
            c.expectStart("+OK ");
        }
    }

    @Test
    void apopSecretsNeedTheKey() {
        AccountResource withoutKey = new AccountResource(null, new ApopSecrets(Optional.empty()), null, null);
        assertEquals(409, withoutKey.setApopSecret("a@example.test", new AccountResource.NewApopSecret("x")).await().indefinitely().getStatus());
    }

    private static String md5Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String storedHash(String address) {
        var rows = pool.preparedQuery("select password_hash from account where address = $1").execute(Tuple.of(address)).await().indefinitely();
        assertEquals(1, rows.size());
        return rows.iterator().next().getString(0);
    }
}
