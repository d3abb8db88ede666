package dev.mailgateway.pop3;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.pop3.maildrop.PgMaildropLease;
import dev.mailgateway.common.account.Passwords;

/** POP3 over the real mail store: chunked retrieval, UPDATE deletions, shared bodies kept while referenced. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class MaildropTest {

    @Inject
    Pool pool;

    @Inject
    Pop3Server server;

    private long account(String address) {
        return pool.preparedQuery("insert into account (address, password_hash) values ($1, $2) returning id")
                .execute(Tuple.of(address, Passwords.hash("pw"))).await().indefinitely().iterator().next().getLong(0);
    }

    /** A body of {@code size} bytes with dot lines in it, delivered to each account. */
    private String deliver(byte[] content, long... accounts) {
        String queueId = QueueId.next();
        long body = pool.preparedQuery("insert into message_body (queue_id, sender, received_at, size_bytes, content)"
                + " values ($1, '', now(), $2, $3) returning id")
                .execute(Tuple.of(queueId, (long) content.length, Buffer.buffer(content))).await().indefinitely().iterator().next().getLong(0);
        for (long account : accounts) {
            pool.preparedQuery("insert into mailbox_entry (account_id, body_id, queue_id, size_bytes) values ($1, $2, $3, $4)")
                    .execute(Tuple.of(account, body, queueId, (long) content.length)).await().indefinitely();
        }
        return queueId;
    }

    private int rows(String sql, String queueId) {
        return pool.preparedQuery(sql).execute(Tuple.of(queueId)).await().indefinitely().size();
    }

    @Inject
    PgMaildropLease lease;

    /** A session of {@code address}, whose maildrop holds one message, logged in and that message marked deleted. */
    private LineClient deletedTheOneMessage(String address) throws java.io.IOException {
        LineClient c = new LineClient(server.port());
        c.expectStart("+OK ");
        c.send("USER " + address + "\r\nPASS pw\r\nDELE 1\r\n");
        c.expect("+OK Send PASS");
        c.expectStart("+OK Maildrop has 1 messages");
        c.expect("+OK Message 1 deleted");
        return c;
    }

    @Test
    void theMaildropLockHasOneOwnerAcrossReplicasAndExpires() {
        long account = account("lock-" + UUID.randomUUID() + "@example.test");
        assertTrue(lease.lock(account, "replica-a").toCompletionStage().toCompletableFuture().join());
        assertFalse(lease.lock(account, "replica-b").toCompletionStage().toCompletableFuture().join(), "held by a");
        assertTrue(lease.renew(account, "replica-a").toCompletionStage().toCompletableFuture().join(), "a renews its own");
        assertFalse(lease.renew(account, "replica-b").toCompletionStage().toCompletableFuture().join(), "b finds it taken");
        lease.unlock(account, "replica-b").toCompletionStage().toCompletableFuture().join();
        assertFalse(lease.lock(account, "replica-b").toCompletionStage().toCompletableFuture().join(), "only its owner unlocks it");
        lease.unlock(account, "replica-a").toCompletionStage().toCompletableFuture().join();
        assertTrue(lease.lock(account, "replica-b").toCompletionStage().toCompletableFuture().join(), "free after unlock");
        // replica-b crashed: its lease runs out, and the maildrop can be taken again
        pool.preparedQuery("update maildrop_lock set expires_at = now() - interval '1 second' where account_id = $1")
                .execute(Tuple.of(account)).await().indefinitely();
        assertTrue(lease.lock(account, "replica-c").toCompletionStage().toCompletableFuture().join(), "taken over after expiry");
    }

    /**
     * Another session takes the lease over under a live one (as after a stall
     * longer than the lease), before its next renewal: its QUIT is refused with
     * [IN-USE] by the transaction that would have deleted.
     */
    @Test
    void aSessionWhoseLeaseWasTakenOverDeletesNothingAtQuit() throws Exception {
        String erin = "drop-" + UUID.randomUUID() + "@example.test";
        long erinId = account(erin);
        String queueId = deliver("Subject: kept\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII), erinId);
        try (LineClient c = deletedTheOneMessage(erin)) {
            // the lease expired during a stall and another replica's session took the maildrop
            pool.preparedQuery("update maildrop_lock set owner = 'other-replica/other-session', expires_at = now() + interval '2 minutes'"
                    + " where account_id = $1").execute(Tuple.of(erinId)).await().indefinitely();
            c.send("QUIT\r\n");
            c.expect("-ERR [IN-USE] Maildrop taken over by another session, nothing deleted");
            assertNull(c.line(), "the session ended");
        }
        assertEquals(1, rows("select 1 from mailbox_entry where queue_id = $1", queueId), "the message was not deleted");
        assertEquals("other-replica/other-session", pool.preparedQuery("select owner from maildrop_lock where account_id = $1")
                .execute(Tuple.of(erinId)).await().indefinitely().iterator().next().getString(0), "its release left the other's lock alone");
    }

    @Test
    void aReplicaStartingAgainFreesTheLocksOfItsKilledRun() {
        String replica = "test-replica-" + UUID.randomUUID();
        long account = account("restart-" + UUID.randomUUID() + "@example.test");
        lease.startReplica(replica).toCompletionStage().toCompletableFuture().join();
        assertTrue(lease.lock(account, "session-1").toCompletionStage().toCompletableFuture().join());
        // killed with the lock held; the same replica comes back: the maildrop is free at once, not after the lease
        lease.startReplica(replica).toCompletionStage().toCompletableFuture().join();
        assertTrue(lease.lock(account, "session-2").toCompletionStage().toCompletableFuture().join());
        lease.unlock(account, "session-2").toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void largeMessageComesBackExactlyAndSharedBodySurvivesOneDeletion() throws Exception {
        String alice = "drop-" + UUID.randomUUID() + "@example.test";
        String bob = "drop-" + UUID.randomUUID() + "@example.test";
        long aliceId = account(alice);
        long bobId = account(bob);
        // over several 256 KiB chunks, with a lone dot and dot-leading lines across chunk edges
        StringBuilder text = new StringBuilder("Subject: big\r\n\r\n.\r\n");
        for (int i = 0; text.length() < 700_000; i++) {
            text.append(i % 7 == 0 ? "." : "").append("line ").append(i).append(" of the message body\r\n");
        }
        byte[] content = text.toString().getBytes(StandardCharsets.US_ASCII);
        String queueId = deliver(content, aliceId, bobId);

        try (LineClient c = new LineClient(server.port())) {
            c.expectStart("+OK ");
            c.send("USER " + alice + "\r\nPASS pw\r\nUIDL\r\nRETR 1\r\n");
            c.expect("+OK Send PASS");
            c.expect("+OK Maildrop has 1 messages (" + content.length + " octets)");
            c.expect("+OK unique-id listing follows");
            assertEquals(List.of("1 " + queueId), c.linesUntilDot());
            c.expect("+OK " + content.length + " octets");
            StringBuilder received = new StringBuilder();
            for (String line : c.linesUntilDot()) {
                received.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
            assertEquals(text.toString(), received.toString());
            c.send("DELE 1\r\nQUIT\r\n");
            c.expect("+OK Message 1 deleted");
            c.expectStart("+OK ");
        }
        assertEquals(0, rows("select 1 from mailbox_entry e join account a on a.id = e.account_id where e.queue_id = $1 and a.address = '" + alice + "'", queueId));
        assertEquals(1, rows("select 1 from message_body where queue_id = $1", queueId), "bob still references the body");

        try (LineClient c = deletedTheOneMessage(bob)) {
            c.send("QUIT\r\n");
            c.expectStart("+OK ");
        }
        assertEquals(0, rows("select 1 from message_body where queue_id = $1", queueId), "the last reference took the body");
    }

    /** A message stored for a new account and queued for one remote recipient: two references to one body. */
    private String storedAndQueued(String subject) {
        String queueId = deliver(("Subject: " + subject + "\r\n\r\nreferences\r\n").getBytes(StandardCharsets.US_ASCII),
                account("drop-" + UUID.randomUUID() + "@example.test"));
        pool.preparedQuery("insert into delivery_queue (queue_id, body_id, recipient, domain)"
                + " select queue_id, id, 'far@remote.test', 'remote.test' from message_body where queue_id = $1")
                .execute(Tuple.of(queueId)).await().indefinitely();
        return queueId;
    }

    /**
     * The worker's bounce report holds its message's body row locked while it
     * sends the bounce (DeliveryQueue.report). A QUIT deleting another
     * reference to that body does not wait for it.
     */
    @Test
    void aQuitDoesNotWaitForABounceBeingSentForTheSameMessage() {
        String queueId = storedAndQueued("bounced");
        SqlConnection report = pool.getConnectionAndAwait();
        try {
            Transaction reporting = report.beginAndAwait();
            report.preparedQuery("select 1 from message_body where queue_id = $1 for no key update").executeAndAwait(Tuple.of(queueId));
            pool.preparedQuery("delete from mailbox_entry where queue_id = $1").execute(Tuple.of(queueId))
                    .await().atMost(Duration.ofSeconds(5));
            reporting.rollbackAndAwait();
        } finally {
            report.closeAndAwait();
        }
        assertEquals(1, rows("select 1 from message_body where queue_id = $1", queueId), "the queue row still holds the body");
    }

    @Test
    void aClientThatStopsReadingMidMessageGetsTheRestExactlyWhenItReadsAgain() throws Exception {
        String dave = "drop-" + UUID.randomUUID() + "@example.test";
        long daveId = account(dave);
        // more than the socket buffers on both sides hold: the server must wait for the client to drain them
        StringBuilder text = new StringBuilder("Subject: stalled\r\n\r\n");
        for (int i = 0; text.length() < 12 << 20; i++) {
            text.append(i % 11 == 0 ? "." : "").append("line ").append(i).append(" of a message read by a client that pauses\r\n");
        }
        byte[] content = text.toString().getBytes(StandardCharsets.US_ASCII);
        deliver(content, daveId);

        try (LineClient c = new LineClient(server.port())) {
            c.expectStart("+OK ");
            c.send("USER " + dave + "\r\nPASS pw\r\nRETR 1\r\n");
            c.expect("+OK Send PASS");
            c.expectStart("+OK Maildrop has 1 messages");
            Thread.sleep(1_500);
            c.expect("+OK " + content.length + " octets");
            StringBuilder received = new StringBuilder();
            for (String line : c.linesUntilDot()) {
                received.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
            }
            assertEquals(text.length(), received.length());
            assertEquals(text.toString(), received.toString());
            c.send("QUIT\r\n");
            c.expectStart("+OK ");
        }
    }

    @Test
    void disabledLoginAndWrongPasswordGetAuthCode() throws Exception {
        try (LineClient c = new LineClient(server.port())) {
            c.expectStart("+OK ");
            c.send("USER postmaster@example.test\r\nPASS anything\r\n");
            c.expect("+OK Send PASS");
            c.expect("-ERR [AUTH] Authentication failed");
        }
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'database-schema' }.status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pop3_sessions_total"))
                .body(containsString("pop3_logins_total{result=\"failure\"}"));
    }
}
