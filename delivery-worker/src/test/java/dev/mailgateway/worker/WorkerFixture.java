package dev.mailgateway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

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

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;

/**
 * What the worker tests share: records written to mail.inbound as the
 * ingress writes them, accounts made and rows read back with SQL, topics
 * read from their end, and waiting for a condition with a bound.
 */
public final class WorkerFixture {

    public static final Duration WAIT = Duration.ofSeconds(60);
    private static KafkaProducer<String, byte[]> producer;

    private final Pool pool;

    public WorkerFixture(Pool pool) {
        this.pool = pool;
    }

    public String account() {
        String address = "worker-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address) values ($1)").execute(Tuple.of(address)).await().indefinitely();
        return address;
    }

    public static RecordMetadata publish(Envelope envelope, byte[] message, Integer partition) {
        return send(new ProducerRecord<>(LocalStack.INBOUND_TOPIC, partition, envelope.queueId(), message,
                new RecordHeaders(EnvelopeHeaders.toHeaders(envelope))));
    }

    public static synchronized RecordMetadata send(ProducerRecord<String, byte[]> record) {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:19092", "acks", "all"),
                    new StringSerializer(), new ByteArraySerializer());
        }
        try {
            return producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public RowSet<Row> rows(String sql, Object... parameters) {
        return pool.preparedQuery(sql).execute(Tuple.from(List.of(parameters))).await().indefinitely();
    }

    public int count(String sql, Object... parameters) {
        return rows(sql, parameters).size();
    }

    public Row one(String sql, Object... parameters) {
        RowSet<Row> rows = rows(sql, parameters);
        assertEquals(1, rows.size(), sql);
        return rows.iterator().next();
    }

    public void awaitRows(String sql, String queueId, int expected) {
        await(() -> count(sql, queueId) == expected, sql + " -> " + expected);
        assertEquals(expected, count(sql, queueId));
    }

    public static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** A consumer of every partition of {@code topic}, from its current end. */
    public static KafkaConsumer<String, byte[]> endOfTopic(String topic) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:19092"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    public static ConsumerRecord<String, byte[]> poll(KafkaConsumer<String, byte[]> consumer, String key) {
        return poll(consumer, key, 1).get(0);
    }

    /** The first {@code count} records with {@code key}, in order. */
    public static List<ConsumerRecord<String, byte[]>> poll(KafkaConsumer<String, byte[]> consumer, String key, int count) {
        List<ConsumerRecord<String, byte[]>> found = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (key.equals(record.key())) {
                    found.add(record);
                }
            }
            if (found.size() >= count) {
                return found.subList(0, count);
            }
        }
        throw new AssertionError(found.size() + " of " + count + " records " + key);
    }
}
