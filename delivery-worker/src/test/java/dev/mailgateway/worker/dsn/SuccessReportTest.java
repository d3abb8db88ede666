package dev.mailgateway.worker.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.SmtpSink;
import dev.mailgateway.worker.RemotePeers;
import dev.mailgateway.worker.SkipInboundBacklog;
import dev.mailgateway.worker.WorkerFixture;

/**
 * NOTIFY=SUCCESS (RFC 3461 section 6.2): a local delivery gets the sender a
 * "delivered" report, a relay to a next hop without DSN a "relayed" one, a
 * relay to a hop with DSN none (that hop reports, NOTIFY passed on).
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class SuccessReportTest {

    private static final byte[] MESSAGE = "Subject: tell me\r\nMessage-ID: <s1@example.test>\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ROOT);
    private static final Map<String, String> NOTIFY_SUCCESS = Map.of("NOTIFY", "SUCCESS,FAILURE");

    @Inject
    Pool pool;

    private WorkerFixture fixture;
    private SmtpSink sink;

    @BeforeEach
    void fixture() {
        fixture = new WorkerFixture(pool);
    }

    @AfterEach
    void closeSink() throws Exception {
        if (sink != null) {
            sink.close();
        }
    }

    private static Envelope envelope(String sender, Envelope.Recipient recipient) {
        // whole seconds, as the report's Arrival-Date shows them
        return new Envelope(QueueId.next(), sender, Map.of(), List.of(recipient), "127.0.0.1", "client.example", Optional.of(sender),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** The reports in a local sender's mailbox: messages from the null reverse-path. */
    private List<String> reportsTo(String sender, int expected) {
        String sql = "select b.content from mailbox_entry e join account a on a.id = e.account_id join message_body b on b.id = e.body_id"
                + " where a.address = $1 and b.sender = '' order by e.id";
        WorkerFixture.await(() -> fixture.count(sql, sender) >= expected, expected + " report(s) to " + sender);
        List<String> reports = fixture.rows(sql, sender).stream().map(row -> new String(row.getBuffer(0).getBytes(), StandardCharsets.US_ASCII)).toList();
        assertEquals(expected, reports.size());
        return reports;
    }

    /** The message/delivery-status part's body, every octet up to the boundary line after it. */
    private static String deliveryStatus(String report) {
        String start = "Content-Type: message/delivery-status\r\n\r\n";
        int from = report.indexOf(start);
        assertTrue(from > 0, report);
        from += start.length();
        return report.substring(from, report.indexOf("\r\n--", from));
    }

    /** The Last-Attempt-Date line, checked for its form: the one field the test cannot know in advance. */
    private static String lastAttempt(String status) {
        int at = status.indexOf("Last-Attempt-Date: ");
        String line = status.substring(at, status.indexOf("\r\n", at) + 2);
        RFC_5322.parse(line.substring("Last-Attempt-Date: ".length(), line.length() - 2));
        return line;
    }

    /**
     * The delivery-status part expected of a report on one recipient of {@code envelope}: the per-message
     * fields, {@code recipientFields}, and the Last-Attempt-Date of {@code actual}.
     */
    private static String expectedStatus(Envelope envelope, String recipientFields, String actual) {
        return "Reporting-MTA: dns; gateway.test\r\n"
                + "X-Queue-ID: " + envelope.queueId() + "\r\n"
                + "Arrival-Date: " + RFC_5322.format(envelope.receivedAt().atZone(ZoneOffset.UTC)) + "\r\n"
                + "\r\n"
                + recipientFields
                + lastAttempt(actual);
    }

    @Test
    void aLocalDeliveryWithNotifySuccessGetsTheSenderADeliveredReport() {
        String sender = fixture.account();
        String recipient = fixture.account();
        Envelope envelope = envelope(sender, new Envelope.Recipient(recipient, NOTIFY_SUCCESS));
        WorkerFixture.publish(envelope, MESSAGE, null);

        String report = reportsTo(sender, 1).get(0);
        String status = deliveryStatus(report);
        assertEquals(expectedStatus(envelope, "Final-Recipient: rfc822; " + recipient + "\r\n"
                + "Action: delivered\r\n"
                + "Status: 2.0.0\r\n"
                + "Diagnostic-Code: smtp; 250 2.0.0 delivered to mailbox\r\n", status), status);
        assertTrue(report.contains("Subject: Successful Mail Delivery Report\r\n"), report);
        assertTrue(report.contains("Content-Description: Delivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n"
                + "Subject: tell me\r\nMessage-ID: <s1@example.test>\r\n\r\n"), report);
        assertEquals(1, fixture.count("select 1 from mailbox_entry e join account a on a.id = e.account_id where a.address = $1", recipient),
                "and the message is in the recipient's mailbox");
        fixture.awaitRows("select 1 from delivery_queue where queue_id = $1", envelope.queueId(), 0);
        fixture.awaitRows("select 1 from message_body where queue_id = $1", envelope.queueId(), 1);
    }

    /** A message with NOTIFY=SUCCESS from a local sender to far@ a domain whose one MX is a sink offering {@code extensions}. */
    private record Relay(String sender, String domain, Envelope envelope) {
    }

    private Relay relayWithNotifySuccess(List<String> extensions) {
        String domain = "s" + UUID.randomUUID().toString().substring(0, 8) + ".test";
        String host = RemotePeers.nextHostAddress();
        RemotePeers.zone().mx(domain, 10, "mx." + domain).a("mx." + domain, host);
        sink = RemotePeers.sinkOn(host).extensions(extensions);
        String sender = fixture.account();
        Envelope envelope = envelope(sender, new Envelope.Recipient("far@" + domain, NOTIFY_SUCCESS));
        WorkerFixture.publish(envelope, MESSAGE, null);
        return new Relay(sender, domain, envelope);
    }

    @Test
    void aRelayToAHopWithoutDsnGetsTheSenderARelayedReport() {
        Relay relay = relayWithNotifySuccess(List.of("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"));
        String domain = relay.domain();
        Envelope envelope = relay.envelope();

        String status = deliveryStatus(reportsTo(relay.sender(), 1).get(0));
        assertEquals(List.of("RCPT TO:<far@" + domain + ">"), sink.received().get(0).rcptLines(), "no DSN at the hop: NOTIFY not passed on");
        assertEquals(expectedStatus(envelope, "Final-Recipient: rfc822; far@" + domain + "\r\n"
                + "Action: relayed\r\n"
                + "Status: 2.0.0\r\n"
                + "Remote-MTA: dns; mx." + domain + "\r\n"
                + "Diagnostic-Code: smtp; 250 2.0.0 queued\r\n", status), status);
        fixture.awaitRows("select 1 from delivery_queue where queue_id = $1", envelope.queueId(), 0);
    }

    @Test
    void aRelayToAHopWithDsnLeavesTheReportToIt() {
        Relay relay = relayWithNotifySuccess(List.of("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "DSN"));
        String domain = relay.domain();
        Envelope envelope = relay.envelope();
        String sender = relay.sender();

        WorkerFixture.await(() -> sink.received().size() == 1, "the message at the hop");
        assertEquals(List.of("RCPT TO:<far@" + domain + "> NOTIFY=SUCCESS,FAILURE"), sink.received().get(0).rcptLines());
        // the verdict's transaction removed the row: no "relayed" row was kept, so no report will come
        fixture.awaitRows("select 1 from delivery_queue where queue_id = $1", envelope.queueId(), 0);
        assertEquals(0, fixture.count("select 1 from mailbox_entry e join account a on a.id = e.account_id join message_body b on b.id = e.body_id"
                + " where a.address = $1 and b.sender = ''", sender));
    }
}
