package dev.mailgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;

/**
 * The whole mail path across the three services: SMTP in on the ingress,
 * Kafka, the worker's delivery into PostgreSQL, POP3 out, comparing the
 * bytes retrieved with the bytes sent.
 */
class MailPathEndToEndTest {

    private static final long DELIVERY_TIMEOUT_MS = 60_000;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        gateway = new RunningGateway();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }

    @Test
    void messageSentOverSmtpIsRetrievedOverPop3ByteForByte() throws Exception {
        String alice = "e2e-" + UUID.randomUUID() + "@example.test";
        gateway.createAccount(alice, "e2e secret");
        // the message as the user means it: a lone dot line and a line starting with a dot
        List<String> body = List.of("From: <bob@example.org>", "To: <" + alice + ">", "Subject: end to end", "",
                "first line", ".", ".leading dot", "..two dots", "last line");

        String queueId = send(alice, body);

        List<String> retrieved = awaitMessage(alice, "e2e secret", queueId);
        int received = 0;
        while (retrieved.get(received).startsWith("Received: ") || retrieved.get(received).startsWith("\t")) {
            received++;
        }
        assertEquals(3, received, "one Received line (folded in three): " + retrieved);
        assertTrue(retrieved.get(1).contains(" id " + queueId), retrieved.get(1));
        assertEquals(body, retrieved.subList(received, retrieved.size()));
    }

    @Test
    void pop3KilledInTransactionStateDeletesNothing() throws Exception {
        String erin = "e2e-kill-" + UUID.randomUUID() + "@example.test";
        gateway.createAccount(erin, "kill secret");
        String first = send(erin, List.of("Subject: one", "", "first"));
        String second = send(erin, List.of("Subject: two", "", "second"));
        awaitMaildrop(erin, "kill secret", 2);

        LineClient doomed = new LineClient(gateway.pop3Port);
        doomed.expectStart("+OK ");
        doomed.send("USER " + erin + "\r\nPASS kill secret\r\nDELE 1\r\nDELE 2\r\n");
        doomed.expect("+OK Send PASS");
        doomed.expectStart("+OK Maildrop has 2 messages");
        doomed.expect("+OK Message 1 deleted");
        doomed.expect("+OK Message 2 deleted");
        // SIGKILL in the TRANSACTION state: the UPDATE state never comes
        gateway.kill("pop3-access");
        assertNull(doomed.line(), "the connection died with the service");
        doomed.close();
        gateway.restart("pop3-access");

        // at once: the restarted replica freed the lock its killed run held, and both messages are there
        try (LineClient pop3 = new LineClient(gateway.pop3Port)) {
            pop3.expectStart("+OK ");
            pop3.send("USER " + erin + "\r\nPASS kill secret\r\nUIDL\r\nQUIT\r\n");
            pop3.expect("+OK Send PASS");
            pop3.expectStart("+OK Maildrop has 2 messages");
            pop3.expect("+OK unique-id listing follows");
            // in delivery order, which the worker's parallel partitions may have swapped
            assertEquals(Set.of(first, second), pop3.linesUntilDot().stream().map(line -> line.split(" ")[1]).collect(Collectors.toSet()));
            pop3.expectStart("+OK ");
        }
    }

    @Test
    void realClientsPythonSmtplibAndPoplib() throws Exception {
        String carol = "e2e-py-" + UUID.randomUUID() + "@example.test";
        gateway.createAccount(carol, "py secret");
        // poplib logs in with APOP (RFC 1939 section 7) after its USER/PASS round trip
        gateway.setApopSecret(carol, "py apop secret");
        Path script = LocalStack.repositoryRoot().resolve("deploy/src/test/python/roundtrip.py");
        Process python = new ProcessBuilder("python3", script.toString(), "127.0.0.1", String.valueOf(gateway.smtpPort),
                String.valueOf(gateway.pop3Port), carol, "py secret", "py apop secret")
                .redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes());
        assertTrue(python.waitFor(120, TimeUnit.SECONDS), "roundtrip.py finished");
        assertEquals(0, python.exitValue(), output);
    }

    /** Sends one message over SMTP, dot-stuffing its lines; returns its queue id. */
    private static String send(String recipient, List<String> body) throws Exception {
        try (LineClient smtp = new LineClient(gateway.smtpPort)) {
            smtp.expectStart("220 ");
            smtp.send("EHLO e2e.example\r\n");
            smtp.skipReply();
            smtp.send("MAIL FROM:<bob@example.org>\r\nRCPT TO:<" + recipient + ">\r\nDATA\r\n");
            smtp.expect("250 2.1.0 Ok");
            smtp.expect("250 2.1.5 Ok");
            smtp.expect("354 End data with <CR><LF>.<CR><LF>");
            StringBuilder data = new StringBuilder();
            body.forEach(line -> data.append(line.startsWith(".") ? "." + line : line).append("\r\n"));
            smtp.send(data + ".\r\n");
            String queueId = smtp.expectStart("250 2.0.0 Ok: queued as ").substring("250 2.0.0 Ok: queued as ".length());
            smtp.send("QUIT\r\n");
            smtp.expect("221 2.0.0 Bye");
            return queueId;
        }
    }

    /** Waits until the maildrop holds {@code count} messages. */
    private static void awaitMaildrop(String user, String password, int count) throws Exception {
        long deadline = System.currentTimeMillis() + DELIVERY_TIMEOUT_MS;
        while (true) {
            try (LineClient pop3 = new LineClient(gateway.pop3Port)) {
                pop3.expectStart("+OK ");
                pop3.send("USER " + user + "\r\nPASS " + password + "\r\nQUIT\r\n");
                pop3.expect("+OK Send PASS");
                String status = pop3.expectStart("+OK Maildrop has ");
                pop3.expectStart("+OK ");
                if (status.startsWith("+OK Maildrop has " + count + " messages")) {
                    return;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(user + "'s maildrop has not " + count + " messages after " + DELIVERY_TIMEOUT_MS + " ms");
            }
            Thread.sleep(250);
        }
    }

    /** Logs in over POP3 until the message is there; returns its lines, un-stuffed, and deletes it. */
    private static List<String> awaitMessage(String user, String password, String queueId) throws Exception {
        long deadline = System.currentTimeMillis() + DELIVERY_TIMEOUT_MS;
        while (true) {
            try (LineClient pop3 = new LineClient(gateway.pop3Port)) {
                pop3.expectStart("+OK ");
                pop3.send("USER " + user + "\r\nPASS " + password + "\r\nUIDL\r\n");
                pop3.expect("+OK Send PASS");
                pop3.expectStart("+OK Maildrop has ");
                pop3.expect("+OK unique-id listing follows");
                List<String> uids = pop3.linesUntilDot();
                if (uids.contains("1 " + queueId)) {
                    pop3.send("RETR 1\r\n");
                    pop3.expectStart("+OK ");
                    List<String> lines = pop3.linesUntilDot().stream().map(l -> l.startsWith(".") ? l.substring(1) : l).toList();
                    pop3.send("DELE 1\r\nQUIT\r\n");
                    pop3.expect("+OK Message 1 deleted");
                    pop3.expectStart("+OK ");
                    return lines;
                }
                pop3.send("QUIT\r\n");
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("message " + queueId + " not in " + user + "'s maildrop after " + DELIVERY_TIMEOUT_MS + " ms");
            }
            Thread.sleep(250);
        }
    }
}
