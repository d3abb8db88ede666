package dev.mailgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;
import dev.mailgateway.common.testing.Dkimpy;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.SmtpSink;

/**
 * The whole mail path across the three services: SMTP in on the ingress,
 * Kafka, the worker's delivery into PostgreSQL, POP3 out, comparing the
 * bytes retrieved with the bytes sent.
 */
class MailPathEndToEndTest {

    private static final long DELIVERY_TIMEOUT_MS = 60_000;
    /** Where the test's DNS puts the MX of a remote domain: the worker dials it on the gateway's relay port. */
    private static final String RELAY_HOST = "127.0.0.77";
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        // dkimpy, the DKIM test's independent implementation
        LocalStack.ensureTestTools();
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
        int checked = received;
        while (checked < retrieved.size() && (retrieved.get(checked).startsWith("Authentication-Results: ")
                || (checked > received && retrieved.get(checked).startsWith(" ")))) {
            checked++;
        }
        assertTrue(checked > received, "the checks' field right under the Received line: " + retrieved);
        assertEquals(body, retrieved.subList(checked, retrieved.size()));
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

    /**
     * Issue 19 across the services: keys made through the admin API sign what a user relays, and dkimpy
     * verifies both signatures against the records the API said to publish; mail that dkimpy signed comes
     * out of POP3 with our Authentication-Results saying pass, and a forged From of a domain whose DMARC
     * policy is reject is refused at the end of data.
     */
    @Test
    void relayedMailIsSignedWithTheApisKeys_andIncomingMailIsChecked() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String user = "e2e-dkim-" + tag + "@example.test";
        gateway.createAccount(user, "dkim secret");
        Map<String, String> records = new HashMap<>();
        for (String algorithm : List.of("rsa-sha256", "ed25519-sha256")) {
            JsonObject key = gateway.createDkimKey("example.test", algorithm.substring(0, 2) + tag, algorithm);
            records.put(key.getString("dnsName"), key.getString("dnsValue"));
            // published as the operator would: the worker signs only with keys DNS serves
            gateway.zone.longTxt(key.getString("dnsName"), 60, key.getString("dnsValue"));
        }
        String remote = "relay-" + tag + ".test";
        gateway.zone.mx(remote, 10, "mx." + remote).a("mx." + remote, RELAY_HOST);
        try (SmtpSink sink = new SmtpSink(RELAY_HOST, gateway.relayPort)) {
            try (LineClient smtp = new LineClient(gateway.smtpPort)) {
                smtp.expectStart("220 ");
                smtp.send("EHLO e2e.example\r\n");
                smtp.skipReply();
                smtp.send("AUTH PLAIN " + Base64.getEncoder().encodeToString(("\0" + user + "\0dkim secret").getBytes(StandardCharsets.UTF_8))
                        + "\r\nMAIL FROM:<" + user + ">\r\nRCPT TO:<friend@" + remote + ">\r\nDATA\r\n");
                smtp.expect("235 2.7.0 Authentication successful");
                smtp.expect("250 2.1.0 Ok");
                smtp.expect("250 2.1.5 Ok");
                smtp.expect("354 End data with <CR><LF>.<CR><LF>");
                smtp.send("From: <" + user + ">\r\nTo: <friend@" + remote + ">\r\nSubject: signed\r\n\r\nhello\r\n.\r\n");
                smtp.expectStart("250 2.0.0 Ok: queued as ");
            }
            long deadline = System.currentTimeMillis() + DELIVERY_TIMEOUT_MS;
            while (sink.received().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(1, sink.received().size(), "relayed to the sink");
            byte[] relayed = sink.received().get(0).data();
            assertArrayEquals(new boolean[] {true, true}, Dkimpy.verify(relayed, records, 2),
                    "both signatures pass in dkimpy: " + new String(relayed, StandardCharsets.UTF_8));
        }

        String sender = "sender-" + tag + ".test";
        DkimKeyPair theirs = DkimKeyPair.generate(DkimAlgorithm.ED25519_SHA256);
        gateway.zone.txt(sender, 60, "v=spf1 ip4:127.0.0.1 -all").longTxt("s1._domainkey." + sender, 60, theirs.record().toTxt())
                .txt("_dmarc." + sender, 60, "v=DMARC1; p=reject");
        byte[] signed = Dkimpy.signed(("From: News <news@" + sender + ">\r\nTo: <" + user + ">\r\nSubject: checked\r\n\r\nnews\r\n")
                .getBytes(StandardCharsets.UTF_8), sender, "s1", theirs);
        String queueId = send("news@" + sender, user, new String(signed, StandardCharsets.UTF_8).split("\r\n"));
        String header = String.join("\r\n", awaitMessage(user, "dkim secret", queueId)).replace("\r\n ", " ");
        assertTrue(header.contains("Authentication-Results: localhost; spf=pass"), header);
        assertTrue(header.contains("dkim=pass (Signature verified) header.d=" + sender + " header.s=s1"), header);
        assertTrue(header.contains("dmarc=pass (p=reject dis=none) header.from=" + sender), header);

        try (LineClient smtp = new LineClient(gateway.smtpPort)) {
            smtp.expectStart("220 ");
            smtp.send("EHLO forger.example\r\nMAIL FROM:<ceo@elsewhere.test>\r\nRCPT TO:<" + user + ">\r\nDATA\r\n");
            smtp.skipReply();
            smtp.expect("250 2.1.0 Ok");
            smtp.expect("250 2.1.5 Ok");
            smtp.expect("354 End data with <CR><LF>.<CR><LF>");
            smtp.send("From: <ceo@" + sender + ">\r\nSubject: wire the money\r\n\r\nnow\r\n.\r\n");
            smtp.expect("550 5.7.1 Email rejected by the DMARC policy of " + sender);
        }
    }

    /** Sends one message over SMTP, dot-stuffing its lines; returns its queue id. */
    private static String send(String recipient, List<String> body) throws Exception {
        return send("bob@example.org", recipient, body.toArray(String[]::new));
    }

    private static String send(String sender, String recipient, String... body) throws Exception {
        try (LineClient smtp = new LineClient(gateway.smtpPort)) {
            smtp.expectStart("220 ");
            smtp.send("EHLO e2e.example\r\n");
            smtp.skipReply();
            smtp.send("MAIL FROM:<" + sender + ">\r\nRCPT TO:<" + recipient + ">\r\nDATA\r\n");
            smtp.expect("250 2.1.0 Ok");
            smtp.expect("250 2.1.5 Ok");
            smtp.expect("354 End data with <CR><LF>.<CR><LF>");
            StringBuilder data = new StringBuilder();
            for (String line : body) {
                data.append(line.startsWith(".") ? "." + line : line).append("\r\n");
            }
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
