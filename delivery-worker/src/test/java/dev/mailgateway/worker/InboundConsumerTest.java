package dev.mailgateway.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.worker.inbound.InboundConsumer;

/**
 * The worker against the real broker and database: records written to
 * mail.inbound as the ingress writes them, results read back with SQL.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class InboundConsumerTest {

    @Inject
    Pool pool;

    @Inject
    InboundConsumer consumer;

    private WorkerFixture fixture;

    @BeforeEach
    void fixture() {
        fixture = new WorkerFixture(pool);
    }

    @Test
    void localRemoteAndVanishedRecipientsInOneTransaction() {
        String alice = fixture.account();
        String bob = fixture.account();
        String gone = "gone-" + UUID.randomUUID() + "@example.test";
        byte[] message = "Received: from x\r\nSubject: one body\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8);
        Envelope envelope = envelope(List.of(alice, bob, "carol@remote.example", gone, bob.toUpperCase()));
        WorkerFixture.publish(envelope, message, null);

        fixture.awaitRows("select 1 from delivery_ledger where queue_id = $1", envelope.queueId(), 4);
        assertEquals(1, fixture.count("select 1 from message_body where queue_id = $1", envelope.queueId()), "one body for all");
        Row dsn = fixture.one("select dsn_ret, dsn_envid, smtputf8 from message_body where queue_id = $1", envelope.queueId());
        assertEquals("HDRS", dsn.getString(0));
        assertEquals("track+2B1", dsn.getString(1));
        assertEquals(false, dsn.getBoolean(2));
        assertEquals(2, fixture.count("select 1 from mailbox_entry where queue_id = $1", envelope.queueId()));
        assertArrayEquals(message, fixture.one("select b.content from mailbox_entry e join message_body b on b.id = e.body_id"
                + " join account a on a.id = e.account_id where e.queue_id = $1 and a.address = '" + alice + "'",
                envelope.queueId()).getBuffer(0).getBytes());
        // the queue manager takes over the remote and the vanished recipient: the ledger says where each went
        assertEquals("remote", fixture.one("select route from delivery_ledger where queue_id = $1 and recipient = 'carol@remote.example'",
                envelope.queueId()).getString(0));
        assertEquals("unknown-user", fixture.one("select route from delivery_ledger where queue_id = $1 and recipient = $2",
                envelope.queueId(), gone).getString(0));

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("delivery_outcomes_total"), "outcomes counted");
        // both event counters are there from the start, so an alert on lost events has a series to watch
        assertTrue(metrics.contains("delivery_events_total{result=\"published\"}"), "published events counted");
        assertTrue(metrics.contains("delivery_events_total{result=\"lost\"}"), "lost events counted");
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'database-schema' }.status", equalTo("UP"));
    }

    @Test
    void replayedRecordDeliversNothingTwiceEvenAfterDeletion() {
        String alice = fixture.account();
        Envelope envelope = envelope(List.of(alice));
        byte[] message = "Subject: once\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
        RecordMetadata first = WorkerFixture.publish(envelope, message, null);
        fixture.awaitRows("select 1 from mailbox_entry where queue_id = $1", envelope.queueId(), 1);

        // the user fetched and deleted it over POP3
        pool.preparedQuery("delete from mailbox_entry where queue_id = $1").execute(Tuple.of(envelope.queueId())).await().indefinitely();
        WorkerFixture.publish(envelope, message, first.partition());
        // a later record on the same partition: once it is in, the replay was handled before it
        Envelope sentinel = envelope(List.of(alice));
        WorkerFixture.publish(sentinel, message, first.partition());
        fixture.awaitRows("select 1 from mailbox_entry where queue_id = $1", sentinel.queueId(), 1);

        assertEquals(0, fixture.count("select 1 from mailbox_entry where queue_id = $1", envelope.queueId()));
        assertEquals(1, fixture.count("select 1 from delivery_ledger where queue_id = $1", envelope.queueId()));
    }

    /** One commit for a poll, whatever partitions its records came from: a transaction per partition took one per record. */
    @Test
    void aPollOverSeveralPartitionsIsStoredInOneTransaction() {
        String alice = fixture.account();
        byte[] message = "Subject: one poll\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
        List<String> queueIds = new ArrayList<>();
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> poll = new LinkedHashMap<>();
        for (int partition = 0; partition < 3; partition++) {
            Envelope envelope = envelope(List.of(alice));
            queueIds.add(envelope.queueId());
            poll.put(new TopicPartition(LocalStack.INBOUND_TOPIC, partition), List.of(new ConsumerRecord<>(LocalStack.INBOUND_TOPIC, partition, 0,
                    0L, TimestampType.CREATE_TIME, 0, 0, envelope.queueId(), message, new RecordHeaders(EnvelopeHeaders.toHeaders(envelope)),
                    Optional.empty())));
        }

        consumer.consume(new ConsumerRecords<>(poll)).await().indefinitely();

        String[] stored = queueIds.toArray(String[]::new);
        assertEquals(3, fixture.count("select 1 from mailbox_entry where queue_id = any($1)", (Object) stored));
        assertEquals(1, fixture.count("select distinct xmin::text from mailbox_entry where queue_id = any($1)", (Object) stored), "one commit");
    }

    @Test
    void aRecordTwiceInOnePollIsStoredOnceAndTheRecordsAroundItToo() {
        String alice = fixture.account();
        byte[] message = "Subject: polled together\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
        // sent back to back onto one partition, so that one poll (one transaction) is likely to hold them all
        Envelope before = envelope(List.of(alice));
        int partition = WorkerFixture.publish(before, message, null).partition();
        Envelope twice = envelope(List.of(alice, "dave@remote.example"));
        WorkerFixture.publish(twice, message, partition);
        WorkerFixture.publish(twice, message, partition);
        Envelope after = envelope(List.of(alice));
        WorkerFixture.publish(after, message, partition);
        fixture.awaitRows("select 1 from mailbox_entry where queue_id = $1", after.queueId(), 1);

        assertEquals(1, fixture.count("select 1 from mailbox_entry where queue_id = $1", before.queueId()));
        assertEquals(1, fixture.count("select 1 from mailbox_entry where queue_id = $1", twice.queueId()));
        assertEquals(1, fixture.count("select 1 from message_body where queue_id = $1", twice.queueId()));
        assertEquals(2, fixture.count("select 1 from delivery_ledger where queue_id = $1", twice.queueId()));
    }

    /**
     * A body whose queue id the ledger does not know (its rows pruned, as after the retention, and the record
     * read again) once failed its insert on the unique queue id for ever, and stalled its partition. The retry
     * finds the body and uses it; the records after it on the partition are stored too. The stored flag says
     * whether the message has 8-bit octets, as the relay needs it.
     */
    @Test
    void aBodyTheLedgerDoesNotKnowIsUsedNotInsertedForEver() {
        String alice = fixture.account();
        byte[] message = "Subject: caf\u00e9\r\n\r\nagain\r\n".getBytes(StandardCharsets.UTF_8);
        Envelope replayed = envelope(List.of(alice));
        fixture.rows("insert into message_body (queue_id, sender, received_at, size_bytes, content) values ($1, '', now(), $2, convert_to($3, 'UTF8'))",
                replayed.queueId(), message.length, new String(message, StandardCharsets.UTF_8));
        int partition = WorkerFixture.publish(replayed, message, null).partition();
        Envelope after = envelope(List.of(alice));
        WorkerFixture.publish(after, message, partition);

        fixture.awaitRows("select 1 from mailbox_entry where queue_id = $1", after.queueId(), 1);
        assertEquals(1, fixture.count("select 1 from mailbox_entry where queue_id = $1", replayed.queueId()));
        assertEquals(1, fixture.count("select 1 from message_body where queue_id = $1", replayed.queueId()));
        assertEquals(true, fixture.one("select eight_bit from message_body where queue_id = $1", after.queueId()).getBoolean(0));
    }

    /**
     * Issue 15: a quoted local part with a space once split the rcpt-to header and dead-lettered the whole
     * message. Now the local copy is stored and the remote recipient queued, from a record as the ingress
     * writes it and from one of the former format (records in the topic when the worker is upgraded).
     */
    @Test
    void aQuotedLocalPartWithASpaceIsStoredAndQueuedNotDeadLettered() {
        String alice = fixture.account();
        byte[] message = "Subject: quoted\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8);
        Envelope envelope = envelope(List.of(alice, "\"john doe\"@remote.example"));
        WorkerFixture.publish(envelope, message, null);
        String legacyKey = QueueId.next();
        RecordHeaders legacy = new RecordHeaders();
        legacy.add("mail-from", "sender@example.org".getBytes(StandardCharsets.UTF_8));
        legacy.add("rcpt-to", alice.getBytes(StandardCharsets.UTF_8));
        legacy.add("rcpt-to", "\"jane doe\"@remote.example NOTIFY=FAILURE".getBytes(StandardCharsets.UTF_8));
        legacy.add("client-address", "127.0.0.1".getBytes(StandardCharsets.UTF_8));
        legacy.add("helo", "client.example".getBytes(StandardCharsets.UTF_8));
        legacy.add("received-at", Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        WorkerFixture.send(new ProducerRecord<>(LocalStack.INBOUND_TOPIC, null, legacyKey, message, legacy));

        fixture.awaitRows("select 1 from delivery_ledger where queue_id = $1", envelope.queueId(), 2);
        fixture.awaitRows("select 1 from delivery_ledger where queue_id = $1", legacyKey, 2);
        for (String queueId : List.of(envelope.queueId(), legacyKey)) {
            assertEquals(1, fixture.count("select 1 from mailbox_entry where queue_id = $1", queueId), "the local copy of " + queueId);
        }
        // the queue row is written in the ledger's transaction; the relay may already have taken it
        assertEquals("remote", fixture.one("select route from delivery_ledger where queue_id = $1 and recipient = $2",
                envelope.queueId(), "\"john doe\"@remote.example").getString(0));
        assertEquals("remote", fixture.one("select route from delivery_ledger where queue_id = $1 and recipient = $2",
                legacyKey, "\"jane doe\"@remote.example").getString(0));
    }

    /**
     * Issue 15: an ingress from before the address model measured lengths before lower-casing (U+0130 doubles)
     * and left IDN conversion to DNS. A record it queued with such a recipient still in the topic is stored
     * for its other recipients, and the one the model refuses is bounced (553 5.1.2), not stalled or dead-lettered.
     */
    @Test
    void aRecipientQueuedBeforeTheModelThatItRefusesIsBounced() {
        String alice = fixture.account();
        String sender = fixture.account();
        // as that ingress wrote it: the domain lower-cased, 120 characters in a label that was 60
        String grown = "x@" + "i\u0307".repeat(60) + ".example";
        String key = QueueId.next();
        RecordHeaders legacy = new RecordHeaders();
        legacy.add("mail-from", sender.getBytes(StandardCharsets.UTF_8));
        legacy.add("rcpt-to", alice.getBytes(StandardCharsets.UTF_8));
        legacy.add("rcpt-to", grown.getBytes(StandardCharsets.UTF_8));
        legacy.add("client-address", "127.0.0.1".getBytes(StandardCharsets.UTF_8));
        legacy.add("helo", "client.example".getBytes(StandardCharsets.UTF_8));
        legacy.add("received-at", Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        WorkerFixture.send(new ProducerRecord<>(LocalStack.INBOUND_TOPIC, null, key, "Subject: old\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8), legacy));

        fixture.awaitRows("select 1 from delivery_ledger where queue_id = $1", key, 2);
        assertEquals(1, fixture.count("select 1 from mailbox_entry where queue_id = $1", key));
        assertEquals("refused", fixture.one("select route from delivery_ledger where queue_id = $1 and recipient = $2", key, grown).getString(0));
        WorkerFixture.await(() -> fixture.count("select 1 from mailbox_entry e join account a on a.id = e.account_id"
                + " join message_body b on b.id = e.body_id where a.address = $1 and b.sender = ''", sender) == 1, "the bounce to the sender");
        String bounce = new String(fixture.one("select b.content from mailbox_entry e join account a on a.id = e.account_id"
                + " join message_body b on b.id = e.body_id where a.address = $1", sender).getBuffer(0).getBytes(), StandardCharsets.UTF_8);
        assertTrue(bounce.contains("\r\nStatus: 5.1.2\r\n"), bounce);
        assertTrue(bounce.contains("\r\nDiagnostic-Code: smtp; 553 5.1.2 bad destination system address: Domain has no valid A-label form\r\n"), bounce);
    }

    @Test
    void unreadableRecordGoesToTheDeadLetterTopicAndTheWorkerGoesOn() {
        String alice = fixture.account();
        String key = QueueId.next();
        RecordHeaders noEnvelope = new RecordHeaders();
        noEnvelope.add("rcpt-to", alice.getBytes(StandardCharsets.UTF_8));
        try (KafkaConsumer<String, byte[]> deadLetters = WorkerFixture.endOfTopic(LocalStack.DEAD_LETTER_TOPIC)) {
            RecordMetadata bad = WorkerFixture.send(new ProducerRecord<>(LocalStack.INBOUND_TOPIC, null, key, "junk".getBytes(StandardCharsets.UTF_8), noEnvelope));
            Envelope next = envelope(List.of(alice));
            WorkerFixture.publish(next, "Subject: after\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8), bad.partition());
            fixture.awaitRows("select 1 from mailbox_entry where queue_id = $1", next.queueId(), 1);

            ConsumerRecord<String, byte[]> dead = WorkerFixture.poll(deadLetters, key);
            assertEquals("no mail-from header",
                    new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8));
            assertEquals("junk", new String(dead.value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void databaseErrorIsRetriedUntilItPasses() {
        String alice = fixture.account();
        Envelope envelope = envelope(List.of(alice));
        // every insert into the mailbox fails while the table is away
        pool.query("alter table mailbox_entry rename to mailbox_entry_away").execute().await().indefinitely();
        try {
            double failedBefore = storeRetries();
            WorkerFixture.publish(envelope, "Subject: retried\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8), null);
            WorkerFixture.await(() -> storeRetries() >= failedBefore + 2, "two failed tries");
            assertEquals(0, fixture.count("select 1 from delivery_ledger where queue_id = $1", envelope.queueId()), "rolled back");
        } finally {
            pool.query("alter table mailbox_entry_away rename to mailbox_entry").execute().await().indefinitely();
        }
        fixture.awaitRows("select 1 from mailbox_entry where queue_id = $1", envelope.queueId(), 1);
        assertEquals(1, fixture.count("select 1 from delivery_ledger where queue_id = $1", envelope.queueId()));
    }

    // ---- helpers

    /** delivery_retries_total{work="store"} from the Prometheus endpoint. */
    private static double storeRetries() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("delivery_retries_total{") && line.contains("work=\"store\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static Envelope envelope(List<String> recipients) {
        return new Envelope(QueueId.next(), "sender@example.org", Map.of("RET", "HDRS", "ENVID", "track+2B1"), recipients.stream().map(Envelope.Recipient::of).toList(),
                "127.0.0.1", "client.example", Optional.empty(), Instant.now());
    }
}
