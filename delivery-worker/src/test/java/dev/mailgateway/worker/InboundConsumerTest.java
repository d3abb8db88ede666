package dev.mailgateway.worker;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

/**
 * The worker against the real broker and database: records written to
 * mail.inbound as the ingress writes them, results read back with SQL.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
class InboundConsumerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static KafkaProducer<String, byte[]> producer;

    @Inject
    Pool pool;

    @BeforeAll
    static void producer() {
        producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:19092", "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    @Test
    void localRemoteAndVanishedRecipientsInOneTransaction() {
        String alice = account();
        String bob = account();
        String gone = "gone-" + UUID.randomUUID() + "@example.test";
        byte[] message = "Received: from x\r\nSubject: one body\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8);
        Envelope envelope = envelope(List.of(alice, bob, "carol@remote.example", gone, bob.toUpperCase()));
        publish(envelope, message, null);

        awaitRows("select 1 from delivery_ledger where queue_id = $1", envelope.queueId(), 4);
        assertEquals(1, count("select 1 from message_body where queue_id = $1", envelope.queueId()), "one body for all");
        Row dsn = one("select dsn_ret, dsn_envid, smtputf8 from message_body where queue_id = $1", envelope.queueId());
        assertEquals("HDRS", dsn.getString(0));
        assertEquals("track+2B1", dsn.getString(1));
        assertEquals(false, dsn.getBoolean(2));
        assertEquals(2, count("select 1 from mailbox_entry where queue_id = $1", envelope.queueId()));
        assertArrayEquals(message, one("select b.content from mailbox_entry e join message_body b on b.id = e.body_id"
                + " join account a on a.id = e.account_id where e.queue_id = $1 and a.address = '" + alice + "'",
                envelope.queueId()).getBuffer(0).getBytes());
        Row remote = one("select recipient, domain, state from delivery_queue where queue_id = $1 and domain = 'remote.example'",
                envelope.queueId());
        assertEquals("carol@remote.example", remote.getString(0));
        assertEquals("queued", remote.getString(2));
        assertEquals("failed", one("select state from delivery_queue where queue_id = $1 and recipient = '" + gone + "'",
                envelope.queueId()).getString(0));

        given().get("/q/metrics").then().statusCode(200).body(containsString("delivery_outcomes_total"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void replayedRecordDeliversNothingTwiceEvenAfterDeletion() {
        String alice = account();
        Envelope envelope = envelope(List.of(alice));
        byte[] message = "Subject: once\r\n\r\nbody\r\n".getBytes(StandardCharsets.UTF_8);
        RecordMetadata first = publish(envelope, message, null);
        awaitRows("select 1 from mailbox_entry where queue_id = $1", envelope.queueId(), 1);

        // the user fetched and deleted it over POP3
        pool.preparedQuery("delete from mailbox_entry where queue_id = $1").execute(Tuple.of(envelope.queueId())).await().indefinitely();
        publish(envelope, message, first.partition());
        // a later record on the same partition: once it is in, the replay was handled before it
        Envelope sentinel = envelope(List.of(alice));
        publish(sentinel, message, first.partition());
        awaitRows("select 1 from mailbox_entry where queue_id = $1", sentinel.queueId(), 1);

        assertEquals(0, count("select 1 from mailbox_entry where queue_id = $1", envelope.queueId()));
        assertEquals(1, count("select 1 from delivery_ledger where queue_id = $1", envelope.queueId()));
    }

    @Test
    void unreadableRecordGoesToTheDeadLetterTopicAndTheWorkerGoesOn() {
        String alice = account();
        String key = QueueId.next();
        RecordHeaders noEnvelope = new RecordHeaders();
        noEnvelope.add("rcpt-to", alice.getBytes(StandardCharsets.UTF_8));
        try (KafkaConsumer<String, byte[]> deadLetters = endOfTopic("mail.dead-letter")) {
            RecordMetadata bad = send(new ProducerRecord<>("mail.inbound", null, key, "junk".getBytes(StandardCharsets.UTF_8), noEnvelope));
            Envelope next = envelope(List.of(alice));
            publish(next, "Subject: after\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8), bad.partition());
            awaitRows("select 1 from mailbox_entry where queue_id = $1", next.queueId(), 1);

            ConsumerRecord<String, byte[]> dead = poll(deadLetters, key);
            assertEquals("no mail-from header",
                    new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8));
            assertEquals("junk", new String(dead.value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void databaseErrorIsRetriedUntilItPasses() {
        String alice = account();
        Envelope envelope = envelope(List.of(alice));
        // every insert into the mailbox fails while the table is away
        pool.query("alter table mailbox_entry rename to mailbox_entry_away").execute().await().indefinitely();
        try {
            double failedBefore = storeRetries();
            publish(envelope, "Subject: retried\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8), null);
            await(() -> storeRetries() >= failedBefore + 2, "two failed tries");
            assertEquals(0, count("select 1 from delivery_ledger where queue_id = $1", envelope.queueId()), "rolled back");
        } finally {
            pool.query("alter table mailbox_entry_away rename to mailbox_entry").execute().await().indefinitely();
        }
        awaitRows("select 1 from mailbox_entry where queue_id = $1", envelope.queueId(), 1);
        assertEquals(1, count("select 1 from delivery_ledger where queue_id = $1", envelope.queueId()));
    }

    // ---- helpers

    /** delivery_retries_total{work="store"} from the Prometheus endpoint. */
    private static double storeRetries() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("delivery_retries_total{") && line.contains("work=\"store\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private String account() {
        String address = "worker-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address) values ($1)").execute(Tuple.of(address)).await().indefinitely();
        return address;
    }

    private static Envelope envelope(List<String> recipients) {
        return new Envelope(QueueId.next(), "sender@example.org", Map.of("RET", "HDRS", "ENVID", "track+2B1"), recipients.stream().map(Envelope.Recipient::of).toList(),
                "127.0.0.1", "client.example", Optional.empty(), Instant.now());
    }

    private static RecordMetadata publish(Envelope envelope, byte[] message, Integer partition) {
        return send(new ProducerRecord<>("mail.inbound", partition, envelope.queueId(), message,
                new RecordHeaders(EnvelopeHeaders.toHeaders(envelope))));
    }

    private static RecordMetadata send(ProducerRecord<String, byte[]> record) {
        try {
            return producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private int count(String sql, String queueId) {
        return pool.preparedQuery(sql).execute(Tuple.of(queueId)).await().indefinitely().size();
    }

    private Row one(String sql, String queueId) {
        var rows = pool.preparedQuery(sql).execute(Tuple.of(queueId)).await().indefinitely();
        assertEquals(1, rows.size(), sql);
        return rows.iterator().next();
    }

    private void awaitRows(String sql, String queueId, int expected) {
        await(() -> count(sql, queueId) == expected, sql + " -> " + expected);
        assertEquals(expected, count(sql, queueId));
    }

    private static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static KafkaConsumer<String, byte[]> endOfTopic(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:19092"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static ConsumerRecord<String, byte[]> poll(KafkaConsumer<String, byte[]> consumer, String key) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (key.equals(record.key())) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record " + key);
    }
}
