package dev.mailgateway.ingress;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.ingress.protocol.Listener;

/** With no broker to acknowledge, the end of DATA gets 451 4.3.0 within smtp.queue-timeout: the client keeps its copy. */
@QuarkusTest
@TestProfile(KafkaUnreachableTest.NoBroker.class)
@QuarkusTestResource(LocalStack.class)
class KafkaUnreachableTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // port 9 (discard) refuses connections on loopback
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:9", "smtp.queue-timeout", "5s");
        }
    }

    @Inject
    IngressServer server;

    @Test
    void endOfDataGets451WhenKafkaCannotAcknowledge() throws Exception {
        try (LineClient c = new LineClient(server.port(Listener.MTA))) {
            c.expectStart("220 ");
            c.send("HELO client.example\r\nMAIL FROM:<>\r\nRCPT TO:<postmaster@example.test>\r\nDATA\r\n");
            c.expectStart("250 ");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("Subject: never queued\r\n\r\nhi\r\n.\r\n");
            c.expect("451 4.3.0 Error: queue write failed, try again later");
            c.send("QUIT\r\n");
            c.expect("221 2.0.0 Bye");
        }
    }
}
