package dev.mailgateway.worker.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.worker.RemotePeers;
import dev.mailgateway.worker.SkipInboundBacklog;
import dev.mailgateway.worker.WorkerFixture;

/**
 * A crash after a bounce was queued and before its rows were removed: the
 * same report is queued again and stored once, and a recipient that failed
 * in between gets a report of its own; nobody is listed twice.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class BounceOnceTest {

    @Inject
    Pool pool;

    /** One statement, so the queue manager's bouncer sees the message whole: its body and its rows in {@code states}. */
    private void storeFailed(WorkerFixture fixture, String queueId, String sender, List<String> recipients, List<String> states) {
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < recipients.size(); i++) {
            String state = states.get(i);
            rows.append(i == 0 ? "" : ", ").append("('").append(recipients.get(i)).append("', '").append(state).append("', ")
                    .append(state.equals("reporting") ? "'failed'" : "null").append(")");
        }
        fixture.rows("with body as (insert into message_body (queue_id, sender, received_at, size_bytes, content)"
                + " values ($1, $2, now(), 26, convert_to('Subject: once\r\n\r\nbody\r\n', 'UTF8')) returning id)"
                + " insert into delivery_queue (queue_id, body_id, recipient, domain, state, dsn_action, status, last_error)"
                + " select $1, body.id, r.recipient, 'remote.invalid', r.state, r.action, '5.1.1', '550 5.1.1 no such user'"
                + " from body, (values " + rows + ") as r (recipient, state, action) order by r.recipient", queueId, sender);
    }

    private List<String> reportsTo(WorkerFixture fixture, String sender, int expected) {
        String sql = "select b.content from mailbox_entry e join account a on a.id = e.account_id join message_body b on b.id = e.body_id"
                + " where a.address = $1 and b.sender = '' order by e.id";
        WorkerFixture.await(() -> fixture.count(sql, sender) >= expected, expected + " report(s) to " + sender);
        return fixture.rows(sql, sender).stream().map(row -> new String(row.getBuffer(0).getBytes(), StandardCharsets.US_ASCII)).toList();
    }

    @Test
    void aReportQueuedBeforeACrashIsStoredOnceAndLaterFailuresGetTheirOwn() throws Exception {
        WorkerFixture fixture = new WorkerFixture(pool);
        String sender = fixture.account();
        String queueId = QueueId.next();
        storeFailed(fixture, queueId, sender, List.of("a@remote.invalid", "b@remote.invalid"), List.of("failed", "failed"));
        String first = reportsTo(fixture, sender, 1).get(0);
        fixture.awaitRows("select 1 from message_body where queue_id = $1", queueId, 0);

        String firstId = QueueId.derived(queueId, "bounce a@remote.invalid b@remote.invalid");
        assertTrue(first.contains("Message-ID: <" + firstId + "@gateway.test>"), first);

        try (KafkaConsumer<String, byte[]> inbound = WorkerFixture.endOfTopic(LocalStack.INBOUND_TOPIC)) {
            // as a crash right after Kafka took that report leaves it: its rows still marked, and c failed meanwhile
            storeFailed(fixture, queueId, sender, List.of("a@remote.invalid", "b@remote.invalid", "c@remote.invalid"),
                    List.of("reporting", "reporting", "failed"));
            WorkerFixture.poll(inbound, firstId);
        }
        fixture.awaitRows("select 1 from message_body where queue_id = $1", queueId, 0);
        List<String> reports = reportsTo(fixture, sender, 2);
        // the report was queued again under the same id: the ledger keeps it from a second mailbox entry
        Thread.sleep(2_000);
        assertEquals(2, reportsTo(fixture, sender, 2).size(), "the report queued twice is stored once");
        assertEquals(first, reports.get(0));
        assertTrue(first.contains("Final-Recipient: rfc822; a@remote.invalid\r\n") && first.contains("Final-Recipient: rfc822; b@remote.invalid\r\n")
                && !first.contains("c@remote.invalid"), first);
        String second = reports.get(1);
        assertTrue(second.contains("Final-Recipient: rfc822; c@remote.invalid\r\nAction: failed\r\nStatus: 5.1.1\r\n")
                && !second.contains("a@remote.invalid") && !second.contains("b@remote.invalid"), second);
    }
}
