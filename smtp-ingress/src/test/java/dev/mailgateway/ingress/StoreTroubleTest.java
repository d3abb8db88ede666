package dev.mailgateway.ingress;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.sqlclient.Pool;

import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.ingress.protocol.Listener;

/**
 * The edges of the store: when the accounts cannot be read, RCPT and AUTH
 * answer with temporary errors (never a 5xx that would bounce good mail), and
 * a message of the largest SIZE the stack allows (50 MiB) fits one Kafka record.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class StoreTroubleTest {

    @Inject
    IngressServer server;

    @Inject
    Pool pool;

    private void sql(String statement) {
        pool.query(statement).execute().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void unreadableAccountsGiveTemporaryErrors() throws Exception {
        sql("alter table account rename to account_away");
        try (LineClient c = new LineClient(server.port(Listener.MTA))) {
            c.expectStart("220 ");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("MAIL FROM:<>\r\nRCPT TO:<someone-" + UUID.randomUUID() + "@example.test>\r\nRCPT TO:<postmaster@example.test>\r\nRSET\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("451 4.3.0 Temporary lookup failure, try again later");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.0.0 Ok");
            String plain = Base64.getEncoder().encodeToString("\0alice@example.test\0pw".getBytes(StandardCharsets.UTF_8));
            c.send("AUTH PLAIN " + plain + "\r\n");
            c.expect("454 4.7.0 Temporary authentication failure");
        } finally {
            sql("alter table account_away rename to account");
        }
    }

    @Test
    void aMessageOfFiftyMebibytesFitsOneRecord() throws Exception {
        // just under the test profile's 50 MiB SIZE, in 998-octet lines (RFC 5321 section 4.5.3.1.6)
        String line = "y".repeat(998) + "\r\n";
        StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
        while (body.length() + line.length() <= 50 * 1024 * 1024) {
            body.append(line);
        }
        try (KafkaConsumer<String, byte[]> consumer = IngressQueueTest.inboundConsumer();
                LineClient c = new LineClient(server.port(Listener.MTA))) {
            c.expectStart("220 ");
            c.send("EHLO client.example\r\nMAIL FROM:<> SIZE=" + body.length() + "\r\nRCPT TO:<postmaster@example.test>\r\nDATA\r\n");
            c.skipReply();
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send(body + ".\r\n");
            String queueId = c.expectStart("250 2.0.0 Ok: queued as ").substring("250 2.0.0 Ok: queued as ".length());
            ConsumerRecord<String, byte[]> record = IngressQueueTest.find(consumer, queueId);
            String value = new String(record.value(), StandardCharsets.US_ASCII);
            org.junit.jupiter.api.Assertions.assertEquals(body.toString(), value.substring(value.indexOf("Subject: big")));
        }
    }
}
