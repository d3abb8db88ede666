package dev.mailgateway.worker.remote;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.store.MessageSource;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.SmtpSink;
import dev.mailgateway.worker.RemotePeers;
import dev.mailgateway.worker.SkipInboundBacklog;
import dev.mailgateway.worker.WorkerFixture;

/**
 * Remote delivery against real peers on loopback: a DNS server serving MX, A
 * and null MX records, and SMTP sinks on 127.0.0.x answering as each test
 * scripts them. Messages enter as records on mail.inbound; what the sinks
 * received, the bounces in the local sender's mailbox (parsed back with a
 * MIME library), the queue API and mail.events show what the worker did.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class RemoteDeliveryTest {

    private static final byte[] MESSAGE = ("Subject: relay me\r\nMessage-ID: <m1@example.test>\r\n\r\n"
            + "hello\r\n.a line that starts with a dot\r\n..and two\r\n").getBytes(StandardCharsets.US_ASCII);

    @Inject
    Pool pool;

    private WorkerFixture fixture;
    private final List<SmtpSink> sinks = new ArrayList<>();

    @BeforeEach
    void fixture() {
        fixture = new WorkerFixture(pool);
    }

    @org.junit.jupiter.api.AfterEach
    void closeSinks() throws Exception {
        for (SmtpSink sink : sinks) {
            sink.close();
        }
    }

    @Test
    void relaysToTheBestMxThatAnswersWithTheBytesAsReceived() {
        String domain = domain();
        String down = RemotePeers.nextHostAddress();
        String up = RemotePeers.nextHostAddress();
        RemotePeers.zone().mx(domain, 10, "mx1." + domain).a("mx1." + domain, down)
                .mx(domain, 20, "mx2." + domain).a("mx2." + domain, up);
        SmtpSink sink = sink(up);
        try (KafkaConsumer<String, byte[]> events = WorkerFixture.endOfTopic(LocalStack.EVENTS_TOPIC)) {
            Envelope envelope = envelope(fixture.account(), List.of(Envelope.Recipient.of("user@" + domain)), Instant.now());
            WorkerFixture.publish(envelope, MESSAGE, null);

            WorkerFixture.await(() -> sink.received().size() == 1, "the message at the second MX");
            SmtpSink.Received received = sink.received().get(0);
            assertArrayEquals(MESSAGE, received.data(), "relayed byte for byte, dots unstuffed by the sink");
            assertEquals("MAIL FROM:<" + envelope.reversePath() + "> SIZE=" + MESSAGE.length, received.mailLine());
            assertEquals(List.of("RCPT TO:<user@" + domain + ">"), received.rcptLines());
            awaitNoQueueRows(envelope.queueId());
            String event = new String(WorkerFixture.poll(events, envelope.queueId()).value(), StandardCharsets.UTF_8);
            assertTrue(event.contains("\"result\":\"delivered\"") && event.contains("\"route\":\"remote\"")
                    && event.contains("\"remoteHost\":\"mx2." + domain + "\""), event);
        }
    }

    /**
     * Issue 15: a quoted local part with a space travels intact to the next hop and into the bounce, and an
     * IDN is routed by its A-labels, the only name the zone knows: the model converted it on the way in.
     */
    @Test
    void quotedLocalPartsAndIdnDomainsAreRelayedAndBouncedAsTheModelKeepsThem() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String aLabels = "xn--bcher-kva.r" + tag + ".test";
        String host = RemotePeers.nextHostAddress();
        RemotePeers.zone().mx(aLabels, 10, "mx." + aLabels).a("mx." + aLabels, host);
        SmtpSink sink = sink(host);
        String unknown = domain();
        String sender = fixture.account();
        Envelope envelope = envelope(sender, List.of(Envelope.Recipient.of("\"john doe\"@B\u00fccher.r" + tag + ".test"),
                Envelope.Recipient.of("\"jane doe\"@" + unknown)), Instant.now());
        WorkerFixture.publish(envelope, MESSAGE, null);

        WorkerFixture.await(() -> sink.received().size() == 1, "the message at the IDN's MX");
        assertEquals(List.of("RCPT TO:<\"john doe\"@" + aLabels + ">"), sink.received().get(0).rcptLines());
        ParsedBounce bounce = bounceTo(sender);
        assertEquals(1, bounce.perRecipient().size());
        assertEquals("rfc822; \"jane doe\"@" + unknown, bounce.perRecipient().get(0).get("Final-Recipient"));
        assertEquals("5.1.2", bounce.perRecipient().get(0).get("Status"));
    }

    @Test
    void implicitMxAndConnectionReuse() {
        String domain = domain();
        String host = RemotePeers.nextHostAddress();
        RemotePeers.zone().a(domain, host);
        SmtpSink sink = sink(host);
        String sender = fixture.account();
        for (int i = 1; i <= 3; i++) {
            Envelope envelope = envelope(sender, List.of(Envelope.Recipient.of("user" + i + "@" + domain)), Instant.now());
            WorkerFixture.publish(envelope, MESSAGE, null);
            int expected = i;
            WorkerFixture.await(() -> sink.received().size() == expected, "message " + i);
        }
        assertEquals(1, sink.connections(), "one connection carried all three messages");
    }

    @Test
    void nullMxAndUnknownDomainBounceAtOnceInOneReport() {
        String nullMx = domain();
        RemotePeers.zone().nullMx(nullMx);
        String unknown = domain();
        String sender = fixture.account();
        Envelope envelope = envelope(sender, List.of(Envelope.Recipient.of("a@" + nullMx), Envelope.Recipient.of("b@" + unknown)), Instant.now());
        WorkerFixture.publish(envelope, MESSAGE, null);

        ParsedBounce bounce = bounceTo(sender);
        assertEquals(RemotePeers.OWN_HOSTNAME, bounce.perMessage().get("Reporting-MTA").replace("dns; ", ""));
        assertEquals(2, bounce.perRecipient().size());
        assertEquals("rfc822; a@" + nullMx, bounce.perRecipient().get(0).get("Final-Recipient"));
        assertEquals("5.1.10", bounce.perRecipient().get(0).get("Status"));
        assertEquals("rfc822; b@" + unknown, bounce.perRecipient().get(1).get("Final-Recipient"));
        assertEquals("5.1.2", bounce.perRecipient().get(1).get("Status"));
        assertEquals("failed", bounce.perRecipient().get(1).get("Action"));
        assertEquals("text/rfc822-headers", bounce.returnedType());
        assertTrue(bounce.returned().contains("Subject: relay me"), bounce.returned());
        assertEquals("auto-replied", bounce.message().getHeader().getField("Auto-Submitted").getBody());
    }

    @Test
    void aTemporaryRefusalIsRetriedThenDelivered() {
        String domain = domain();
        String host = RemotePeers.nextHostAddress();
        RemotePeers.zone().mx(domain, 10, "mx." + domain).a("mx." + domain, host);
        int[] tries = {0};
        SmtpSink sink = sink(host).onRcpt(rcpt -> ++tries[0] == 1 ? "451 4.3.0 try again later" : "250 2.1.5 ok");
        try (KafkaConsumer<String, byte[]> events = WorkerFixture.endOfTopic(LocalStack.EVENTS_TOPIC)) {
            Envelope envelope = envelope(fixture.account(), List.of(Envelope.Recipient.of("user@" + domain)), Instant.now());
            WorkerFixture.publish(envelope, MESSAGE, null);

            WorkerFixture.await(() -> sink.received().size() == 1, "the message after its retry");
            assertEquals(2, tries[0]);
            List<ConsumerRecord<String, byte[]>> outcomes = WorkerFixture.poll(events, envelope.queueId(), 2);
            String deferred = new String(outcomes.get(0).value(), StandardCharsets.UTF_8);
            assertTrue(deferred.contains("\"result\":\"deferred\"") && deferred.contains("\"status\":\"4.3.0\"")
                    && deferred.contains("\"attempt\":1"), deferred);
            String delivered = new String(outcomes.get(1).value(), StandardCharsets.UTF_8);
            assertTrue(delivered.contains("\"result\":\"delivered\"") && delivered.contains("\"attempt\":2"), delivered);
        }
    }

    @Test
    void partialSuccessBouncesOnlyTheRefusedRecipient() {
        Remote remote = remoteWithOneMx();
        String domain = remote.domain();
        SmtpSink sink = remote.sink().onRcpt(rcpt -> rcpt.startsWith("reject") ? "550 5.1.1 <" + rcpt + ">: no such user" : "250 2.1.5 ok");
        String sender = fixture.account();
        Envelope envelope = new Envelope(QueueId.next(), sender, Map.of("ENVID", "trace+2Bone"),
                List.of(Envelope.Recipient.of("ok@" + domain),
                        new Envelope.Recipient("reject@" + domain, Map.of("ORCPT", "rfc822;Reject+2Bx@" + domain))),
                "127.0.0.1", "client.example", Optional.of(sender), Instant.now());
        WorkerFixture.publish(envelope, MESSAGE, null);

        ParsedBounce bounce = bounceTo(sender);
        assertEquals(1, sink.received().size());
        assertEquals(List.of("RCPT TO:<ok@" + domain + ">"), sink.received().get(0).rcptLines());
        assertEquals("trace+one", bounce.perMessage().get("Original-Envelope-Id"));
        Map<String, String> failed = bounce.perRecipient().get(0);
        assertEquals(1, bounce.perRecipient().size());
        assertEquals("rfc822; reject@" + domain, failed.get("Final-Recipient"));
        assertEquals("rfc822; Reject+x@" + domain, failed.get("Original-Recipient"));
        assertEquals("failed", failed.get("Action"));
        assertEquals("5.1.1", failed.get("Status"));
        assertEquals("dns; mx." + domain, failed.get("Remote-MTA"));
        assertEquals("smtp; 550 5.1.1 <reject@" + domain + ">: no such user", failed.get("Diagnostic-Code"));
        assertTrue(bounce.humanText().contains("reject@" + domain), bounce.humanText());
    }

    @Test
    void aRecipientDeferredPastTheLifetimeBouncesWith447() {
        String domain = remoteWithBusyMx().domain();
        String sender = fixture.account();
        Instant longAgo = Instant.now().minus(RemotePeers.LIFETIME).minus(Duration.ofMinutes(1));
        WorkerFixture.publish(envelope(sender, List.of(Envelope.Recipient.of("late@" + domain)), longAgo), MESSAGE, null);

        Map<String, String> failed = bounceTo(sender).perRecipient().get(0);
        assertEquals("4.4.7", failed.get("Status"));
        assertEquals("smtp; " + BUSY, failed.get("Diagnostic-Code"));
    }

    @Test
    void aSenderHearsOnceThatItsMailIsStillWaiting() {
        String domain = remoteWithBusyMx().domain();
        String sender = fixture.account();
        Instant aWhileAgo = Instant.now().minus(RemotePeers.DELAY_WARNING).minus(Duration.ofMinutes(5));
        Envelope envelope = envelope(sender, List.of(Envelope.Recipient.of("slow@" + domain)), aWhileAgo);
        WorkerFixture.publish(envelope, MESSAGE, null);

        ParsedBounce warning = bounceTo(sender);
        assertEquals("Delayed Mail (still being retried)", warning.message().getSubject());
        Map<String, String> delayed = warning.perRecipient().get(0);
        assertEquals("delayed", delayed.get("Action"));
        assertEquals("4.2.1", delayed.get("Status"));
        assertTrue(delayed.containsKey("Will-Retry-Until"), delayed.toString());
        // the retries go on (every second or two here), and the sender is not told again
        WorkerFixture.await(() -> fixture.count("select 1 from delivery_queue where queue_id = $1 and attempts >= 3", envelope.queueId()) == 1,
                "two more attempts");
        bouncesTo(sender, 1);
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).queryParam("dsn", "false").delete("/api/queue/" + envelope.queueId()).then().statusCode(204);
    }

    @Test
    void noBounceForTheNullSenderNorForNotifyNever() {
        Remote remote = remoteWithOneMx();
        String domain = remote.domain();
        remote.sink().onRcpt(rcpt -> "550 5.1.1 no such user");
        Envelope fromNobody = envelope("", List.of(Envelope.Recipient.of("x@" + domain)), Instant.now());
        String sender = fixture.account();
        Envelope never = envelope(sender, List.of(new Envelope.Recipient("y@" + domain, Map.of("NOTIFY", "NEVER"))), Instant.now());
        WorkerFixture.publish(fromNobody, MESSAGE, null);
        WorkerFixture.publish(never, MESSAGE, null);

        awaitNoQueueRows(fromNobody.queueId());
        awaitNoQueueRows(never.queueId());
        // a bounce is queued before its rows go: had there been one, its record would be in the ledger soon after
        sleep(Duration.ofSeconds(2));
        assertEquals(0, fixture.count("select 1 from mailbox_entry e join account a on a.id = e.account_id where a.address = $1", sender));
        assertEquals(0, fixture.count("select 1 from message_body where queue_id in ($1, $2)",
                QueueId.derived(fromNobody.queueId(), "bounce x@" + domain), QueueId.derived(never.queueId(), "bounce y@" + domain)));
    }

    @Test
    void eightBitToAServerWithout8BitMimeAndALoopBackToUsBounce() {
        Remote remote = remoteWithOneMx();
        String plain = remote.domain();
        SmtpSink sink = remote.sink().extensions(List.of("PIPELINING", "ENHANCEDSTATUSCODES"));
        String looping = domain();
        RemotePeers.zone().mx(looping, 10, RemotePeers.OWN_HOSTNAME);
        String sender = fixture.account();
        byte[] eightBit = "Subject: caf\u00e9\r\n\r\nd\u00e9j\u00e0 vu\r\n".getBytes(StandardCharsets.UTF_8);
        WorkerFixture.publish(envelope(sender, List.of(Envelope.Recipient.of("u@" + plain)), Instant.now()), eightBit, null);
        WorkerFixture.publish(envelope(sender, List.of(Envelope.Recipient.of("v@" + looping)), Instant.now()), eightBit, null);

        List<ParsedBounce> bounces = bouncesTo(sender, 2);
        List<String> statuses = bounces.stream().map(b -> b.perRecipient().get(0).get("Status")).sorted().toList();
        assertEquals(List.of("5.4.6", "5.6.3"), statuses);
        assertEquals(0, sink.received().size());
    }

    /**
     * Issue 15: a message larger than what comes with the claim is streamed from the store a chunk at a time.
     * Lines that start with a dot sit on both sides of each chunk boundary, and the only 8-bit octet is in the
     * last chunk: the bytes arrive as received, and BODY=8BITMIME is declared from the flag stored at intake,
     * or the message is refused before MAIL by a next hop without 8BITMIME.
     */
    @Test
    void aLargeMessageIsStreamedFromTheStoreAsReceived() {
        Remote eightBitMime = remoteWithOneMx();
        Remote sevenBit = remoteWithOneMx();
        sevenBit.sink().extensions(List.of("PIPELINING", "SIZE 52428800", "ENHANCEDSTATUSCODES"));
        byte[] large = largeMessageWithDotsAtChunkEdges(5 * MessageSource.CHUNK + 123);
        String sender = fixture.account();
        Envelope toEightBitMime = envelope(sender, List.of(Envelope.Recipient.of("u@" + eightBitMime.domain())), Instant.now());
        WorkerFixture.publish(toEightBitMime, large, null);
        WorkerFixture.publish(envelope(sender, List.of(Envelope.Recipient.of("v@" + sevenBit.domain())), Instant.now()), large, null);

        WorkerFixture.await(() -> eightBitMime.sink().received().size() == 1, "the large message at the sink");
        SmtpSink.Received received = eightBitMime.sink().received().get(0);
        assertArrayEquals(large, received.data(), "streamed byte for byte, dots unstuffed by the sink");
        assertEquals("MAIL FROM:<" + sender + "> SIZE=" + large.length + " BODY=8BITMIME", received.mailLine());
        awaitNoQueueRows(toEightBitMime.queueId());
        assertEquals("5.6.3", bouncesTo(sender, 1).get(0).perRecipient().get(0).get("Status"));
        assertEquals(0, sevenBit.sink().received().size());
    }

    /** ASCII lines, one starting with "." right before and one right after every chunk boundary, and an "é" near the end. */
    private static byte[] largeMessageWithDotsAtChunkEdges(int size) {
        byte[] message = new byte[size];
        byte[] head = "Subject: large\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, message, 0, head.length);
        for (int i = head.length; i < size; i++) {
            message[i] = (byte) ('a' + i % 26);
        }
        for (int i = 64; i < size - 2; i += 64) {
            message[i - 2] = '\r';
            message[i - 1] = '\n';
        }
        for (int edge = MessageSource.CHUNK; edge < size - 4; edge += MessageSource.CHUNK) {
            // a line ending just before the boundary, a dot as the last octet of the chunk, another as the first of the next
            message[edge - 3] = '\r';
            message[edge - 2] = '\n';
            message[edge - 1] = '.';
            message[edge] = '\r';
            message[edge + 1] = '\n';
            message[edge + 2] = '.';
        }
        message[size - 5] = (byte) 0xc3;
        message[size - 4] = (byte) 0xa9;
        message[size - 2] = '\r';
        message[size - 1] = '\n';
        return message;
    }

    @Test
    void theQueueApiListsRetriesAndDeletes() {
        Remote remote = remoteWithOneMx();
        String domain = remote.domain();
        SmtpSink sink = remote.sink().onRcpt(rcpt -> "452 4.2.2 mailbox full");
        String sender = fixture.account();
        Envelope kept = envelope(sender, List.of(Envelope.Recipient.of("full@" + domain)), Instant.now());
        Envelope dropped = envelope(sender, List.of(Envelope.Recipient.of("full2@" + domain)), Instant.now());
        WorkerFixture.publish(kept, MESSAGE, null);
        WorkerFixture.publish(dropped, MESSAGE, null);
        WorkerFixture.await(() -> fixture.count("select 1 from delivery_queue where queue_id in ($1, $2) and attempts >= 1",
                kept.queueId(), dropped.queueId()) == 2, "a first attempt of both");

        given().get("/api/queue").then().statusCode(401);
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).get("/api/queue").then().statusCode(200)
                .body("queueId", hasItem(kept.queueId()))
                .body("find { it.queueId == '" + kept.queueId() + "' }.recipient", org.hamcrest.Matchers.equalTo("full@" + domain))
                .body("find { it.queueId == '" + kept.queueId() + "' }.sender", org.hamcrest.Matchers.equalTo(sender))
                .body("find { it.queueId == '" + kept.queueId() + "' }.lastError", org.hamcrest.Matchers.containsString("452 4.2.2 mailbox full"));
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).post("/api/queue/" + kept.queueId() + "/retry").then().statusCode(202);
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).post("/api/queue/" + QueueId.next() + "/retry").then().statusCode(404);
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).post("/api/queue/flush").then().statusCode(202);

        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).queryParam("dsn", "false").delete("/api/queue/" + dropped.queueId()).then().statusCode(204);
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).delete("/api/queue/" + kept.queueId()).then().statusCode(204);
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).delete("/api/queue/" + kept.queueId()).then().statusCode(404);

        ParsedBounce bounce = bounceTo(sender);
        assertEquals("5.0.0", bounce.perRecipient().get(0).get("Status"));
        assertEquals("rfc822; full@" + domain, bounce.perRecipient().get(0).get("Final-Recipient"));
        awaitNoQueueRows(dropped.queueId());
        WorkerFixture.await(() -> fixture.count("select 1 from message_body where queue_id = $1", dropped.queueId()) == 0,
                "the dropped message's body gone with its last row");
        assertEquals(0, sink.received().size());
    }

    @Test
    void aFailingResolverDefersWithoutBouncing() {
        String domain = domain();
        RemotePeers.zone().broken(domain);
        Envelope envelope = envelope(fixture.account(), List.of(Envelope.Recipient.of("user@" + domain)), Instant.now());
        WorkerFixture.publish(envelope, MESSAGE, null);
        WorkerFixture.await(() -> fixture.count("select 1 from delivery_queue where queue_id = $1 and status = '4.4.3' and state = 'queued'",
                envelope.queueId()) == 1, "a deferral for the DNS failure");
        given().auth().oauth2(RemotePeers.ADMIN_TOKEN).queryParam("dsn", "false").delete("/api/queue/" + envelope.queueId()).then().statusCode(204);
    }

    // ---- helpers

    /** A domain whose one MX, mx.DOMAIN, is a sink of its own. */
    private record Remote(String domain, SmtpSink sink) {
    }

    private Remote remoteWithOneMx() {
        String domain = domain();
        String host = RemotePeers.nextHostAddress();
        RemotePeers.zone().mx(domain, 10, "mx." + domain).a("mx." + domain, host);
        return new Remote(domain, sink(host));
    }

    /** A domain whose one MX defers every recipient: the message waits in the queue, retried. */
    private Remote remoteWithBusyMx() {
        Remote remote = remoteWithOneMx();
        remote.sink().onRcpt(rcpt -> BUSY);
        return remote;
    }

    private static final String BUSY = "451 4.2.1 mailbox busy";

    private SmtpSink sink(String address) {
        SmtpSink sink = RemotePeers.sinkOn(address);
        sinks.add(sink);
        return sink;
    }

    private static String domain() {
        return "r" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    }

    private static Envelope envelope(String sender, List<Envelope.Recipient> recipients, Instant receivedAt) {
        return new Envelope(QueueId.next(), sender, Map.of(), recipients, "127.0.0.1", "client.example",
                sender.isEmpty() ? Optional.empty() : Optional.of(sender), receivedAt);
    }

    /** The record was stored (its ledger rows exist), and its queue rows are all gone. */
    private void awaitNoQueueRows(String queueId) {
        WorkerFixture.await(() -> fixture.count("select 1 from delivery_ledger where queue_id = $1", queueId) > 0, "the record stored");
        fixture.awaitRows("select 1 from delivery_queue where queue_id = $1", queueId, 0);
    }

    private ParsedBounce bounceTo(String sender) {
        return bouncesTo(sender, 1).get(0);
    }

    /** The bounces in a local sender's mailbox: messages from the null reverse-path. */
    private List<ParsedBounce> bouncesTo(String sender, int expected) {
        String sql = "select b.content from mailbox_entry e join account a on a.id = e.account_id join message_body b on b.id = e.body_id"
                + " where a.address = $1 and b.sender = '' order by e.id";
        WorkerFixture.await(() -> fixture.count(sql, sender) >= expected, expected + " bounce(s) to " + sender);
        List<ParsedBounce> bounces = new ArrayList<>();
        fixture.rows(sql, sender).forEach(row -> bounces.add(ParsedBounce.parse(row.getBuffer(0).getBytes())));
        assertEquals(expected, bounces.size());
        return bounces;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
