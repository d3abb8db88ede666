package dev.mailgateway.ingress;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.account.Passwords;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.ingress.protocol.Listener;

/**
 * STARTTLS (RFC 3207), the implicit-TLS submissions port (RFC 8314) and AUTH
 * (RFC 4954) with the JDK's TLS client against the key pair deploy/local/up
 * makes, accounts in the real database and the record in the real Kafka.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class IngressTlsTest {

    @Inject
    IngressServer server;

    @Inject
    Pool pool;

    /** A client over a socket that can switch to TLS mid-session, as STARTTLS does. */
    private static final class Client implements AutoCloseable {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;

        Client(Socket socket) throws IOException {
            use(socket);
        }

        private void use(Socket s) throws IOException {
            socket = s;
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            out = s.getOutputStream();
        }

        void send(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String line() throws IOException {
            return in.readLine();
        }

        void expect(String line) throws IOException {
            assertEquals(line, line());
        }

        /** The EHLO reply's lines after the first. */
        java.util.List<String> ehlo() throws IOException {
            send("EHLO tls.example\r\n");
            java.util.List<String> keywords = new java.util.ArrayList<>();
            String line = line();
            while (line.charAt(3) == '-') {
                line = line();
                keywords.add(line.substring(4));
            }
            return keywords;
        }

        void startTls() throws Exception {
            SSLSocket tls = (SSLSocket) trustingContext().getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
            tls.startHandshake();
            use(tls);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static SSLContext trustingContext() throws Exception {
        return LineClient.trustingContext();
    }

    private String account(String password) {
        String address = "tls-" + UUID.randomUUID() + "@example.test";
        pool.preparedQuery("insert into account (address, password_hash) values ($1, $2)")
                .execute(Tuple.of(address, Passwords.hash(password))).toCompletionStage().toCompletableFuture().join();
        return address;
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void startTlsThenAuthThenRelayIsQueuedWithTheAuthenticatedUser() throws Exception {
        String alice = account("tls secret");
        try (KafkaConsumer<String, byte[]> consumer = IngressQueueTest.inboundConsumer();
                Client c = new Client(new Socket("127.0.0.1", server.port(Listener.SUBMISSION)))) {
            c.expect("220 localhost ESMTP ready");
            assertEquals(true, c.ehlo().contains("STARTTLS"));
            // a pipelined command after STARTTLS is plaintext injection (CVE-2011-0411): it must be dropped, not answered
            c.send("STARTTLS\r\nNOOP\r\n");
            c.expect("220 2.0.0 Ready to start TLS");
            c.startTls();
            java.util.List<String> keywords = c.ehlo();
            assertEquals(false, keywords.contains("STARTTLS"), keywords.toString());
            assertEquals(true, keywords.contains("AUTH PLAIN LOGIN"), keywords.toString());
            c.send("STARTTLS\r\n");
            c.expect("554 5.5.1 Error: TLS already active");
            c.send("MAIL FROM:<" + alice + ">\r\n");
            c.expect("530 5.7.0 Authentication required");
            c.send("AUTH PLAIN " + plain(alice, "wrong") + "\r\n");
            c.expect("535 5.7.8 Error: authentication failed");
            c.send("AUTH PLAIN " + plain(alice, "tls secret") + "\r\n");
            c.expect("235 2.7.0 Authentication successful");
            c.send("MAIL FROM:<" + alice + ">\r\nRCPT TO:<friend@remote.example>\r\nDATA\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("Subject: relayed\r\n\r\nover TLS\r\n.\r\n");
            String reply = c.line();
            String queueId = reply.substring("250 2.0.0 Ok: queued as ".length());

            ConsumerRecord<String, byte[]> record = IngressQueueTest.find(consumer, queueId);
            assertEquals(alice, EnvelopeHeaders.fromRecord(record.key(), record.headers()).authUser().orElseThrow());
            String value = new String(record.value(), StandardCharsets.UTF_8);
            assertEquals(true, value.contains(" with ESMTPSA id " + queueId), value);
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("smtp_tls_handshakes_total{result=\"success\"}"))
                .body(containsString("smtp_commands_total{result=\"2xx\",verb=\"auth\"}"))
                .body(containsString("smtp_commands_total{result=\"5xx\",verb=\"auth\"}"))
                .body(containsString("smtp_sessions_active"))
                .body(containsString("smtp_queued_bytes_total"));
    }

    @Test
    void failedAuthIsAnsweredAfterAGrowingDelay() throws Exception {
        String carol = account("right one");
        try (Client c = new Client(new Socket("127.0.0.1", server.port(Listener.MTA)))) {
            c.expect("220 localhost ESMTP ready");
            c.ehlo();
            long[] waited = new long[3];
            for (int i = 0; i < waited.length; i++) {
                long start = System.nanoTime();
                c.send("AUTH PLAIN " + plain(carol, "guess " + i) + "\r\n");
                c.expect("535 5.7.8 Error: authentication failed");
                waited[i] = (System.nanoTime() - start) / 1_000_000;
            }
            // smtp.login-failure.delay is 100 ms in tests: 100, 200, 400 ms; lower bounds only, a busy machine may add to them
            assertTrue(waited[0] >= 100 && waited[1] >= 200 && waited[2] >= 400, java.util.Arrays.toString(waited));
            c.send("AUTH PLAIN " + plain(carol, "right one") + "\r\n");
            c.expect("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void submissionsPortSpeaksTlsFromTheFirstByte() throws Exception {
        try (Client c = new Client(trustingContext().getSocketFactory().createSocket("127.0.0.1", server.port(Listener.SUBMISSIONS)))) {
            c.expect("220 localhost ESMTP ready");
            java.util.List<String> keywords = c.ehlo();
            assertEquals(false, keywords.contains("STARTTLS"), keywords.toString());
            assertEquals(true, keywords.contains("AUTH PLAIN LOGIN"), keywords.toString());
            c.send("MAIL FROM:<>\r\nQUIT\r\n");
            c.expect("530 5.7.0 Authentication required");
            c.expect("221 2.0.0 Bye");
            assertNull(c.line());
        }
    }
}
