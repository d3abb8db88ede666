package dev.mailgateway.ingress;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.ingress.protocol.Listener;

/** The real path: SMTP in, account lookup in PostgreSQL, one record on mail.inbound in Kafka, 250 after the ack. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(TestZone.class)
class IngressQueueTest {

    @Inject
    IngressServer server;

    @Inject
    Pool pool;

    @Test
    void acceptedMessageIsOneRecordWithTheExactBytes() throws Exception {
        String mailbox = "rcpt-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address, password_hash) values ($1, null)").execute(Tuple.of(mailbox))
                .toCompletionStage().toCompletableFuture().join();

        try (KafkaConsumer<String, byte[]> consumer = inboundConsumer(); LineClient c = new LineClient(server.port(Listener.MTA))) {
            c.expectStart("220 ");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<" + mailbox + ">\r\nRCPT TO:<missing-" + UUID.randomUUID()
                    + "@example.test>\r\nDATA\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expectStart("550 5.1.1 ");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            // as sent: the client doubled the leading dot (RFC 5321 section 4.5.2)
            String body = "Subject: queued\r\n\r\n..a line that starts with a dot\r\nend\r\n";
            c.send(body + ".\r\n");
            String queueId = c.expectStart("250 2.0.0 Ok: queued as ").substring("250 2.0.0 Ok: queued as ".length());

            ConsumerRecord<String, byte[]> record = find(consumer, queueId);
            Envelope envelope = EnvelopeHeaders.fromRecord(record.key(), record.headers());
            assertEquals("sender@example.org", envelope.reversePath());
            assertEquals(List.of(Envelope.Recipient.of(mailbox)), envelope.recipients());
            assertEquals("client.example", envelope.heloName());
            String value = new String(record.value(), StandardCharsets.UTF_8);
            assertTrue(value.startsWith("Received: from client.example ([127.0.0.1])\r\n"), value);
            assertTrue(value.contains(" id " + queueId + "\r\n"), value);
            // checked against the test's DNS, which knows nothing of example.org: marked, accepted
            assertTrue(value.contains("\r\nAuthentication-Results: localhost; spf=none"), value);
            assertArrayEquals(body.replace("\r\n..", "\r\n.").getBytes(StandardCharsets.UTF_8),
                    value.substring(value.indexOf("Subject: queued")).getBytes(StandardCharsets.UTF_8));
        }

        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'database-schema' }.status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("smtp_messages_accepted_total"))
                .body(containsString("smtp_publish_latency_seconds"))
                .body(containsString("smtp_auth_results_total{method=\"spf\",result=\"none\"}"));
    }

    @Test
    void quotaIsCheckedAtRcptWithTheDeclaredSize() throws Exception {
        String mailbox = "quota-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address, quota_bytes) values ($1, 1000)").execute(Tuple.of(mailbox))
                .toCompletionStage().toCompletableFuture().join();
        try (LineClient c = new LineClient(server.port(Listener.MTA))) {
            c.expectStart("220 ");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("MAIL FROM:<> SIZE=5000\r\nRCPT TO:<" + mailbox + ">\r\nRSET\r\nMAIL FROM:<> SIZE=500\r\nRCPT TO:<" + mailbox + ">\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("452 4.2.2 <" + mailbox + ">: Mailbox full");
            c.expect("250 2.0.0 Ok");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
        }
    }

    /** A consumer on every partition of mail.inbound, positioned at the end so it sees only new records. */
    static KafkaConsumer<String, byte[]> inboundConsumer() {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", "127.0.0.1:19092"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(LocalStack.INBOUND_TOPIC).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    static ConsumerRecord<String, byte[]> find(KafkaConsumer<String, byte[]> consumer, String key) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.key().equals(key)) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record with key " + key + " on mail.inbound");
    }
}
