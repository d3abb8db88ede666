package dev.mailgateway.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;

import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LoopbackServer;
import dev.mailgateway.common.testing.ManualTimers;
import dev.mailgateway.common.testing.ZoneServer;
import dev.mailgateway.ingress.auth.InboundChecks;
import dev.mailgateway.ingress.policy.InflightBudget;
import dev.mailgateway.ingress.protocol.Authenticator;
import dev.mailgateway.ingress.protocol.Listener;
import dev.mailgateway.ingress.protocol.MessageChecks;
import dev.mailgateway.ingress.protocol.MessageQueue;
import dev.mailgateway.ingress.protocol.RecipientCheck;
import dev.mailgateway.ingress.protocol.SmtpSession;

/**
 * Golden transcripts of the SMTP state machine over a real socket and event
 * loop. Recipients and the queue are in memory here; the Kafka and
 * PostgreSQL path is IngressQueueTest's.
 */
class SmtpTranscriptTest {

    private static final Set<String> MAILBOXES = Set.of("alice@example.test", "bob@example.test", "carol@example.test");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-28T07:00:00Z"), ZoneOffset.UTC);

    private LoopbackServer server;
    /** The connections' timeouts run on it: a test lets them pass with advance. */
    private ManualTimers timers;
    private final List<Envelope> queuedEnvelopes = new ArrayList<>();
    private final List<String> queuedMessages = new ArrayList<>();
    private boolean queueFails;
    private Listener listener = Listener.MTA;
    private boolean tls;
    private boolean loopback = true;
    private int maxErrors = 20;
    private final List<SmtpConnection> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long commandTimeoutMillis = 60_000;
    private long dataTimeoutMillis = 60_000;
    private long maxDataMillis = 60_000;
    private InflightBudget budget;
    private long budgetOctets = 1024 * 1024;
    private long budgetWaitMillis = 10_000;
    /** Read as each connection starts: a test may put real checks in before it connects. */
    private MessageChecks checks = MessageChecks.NONE;

    @BeforeEach
    void startServer() {
        SmtpSession.Settings settings = new SmtpSession.Settings("mx.example.test", "postmaster@example.test", 200, 3, tls, false,
                maxErrors, 3, 100);
        RecipientCheck recipients = (address, authenticated, size) -> Future.succeededFuture(
                !address.domain().equals("example.test")
                        ? authenticated ? RecipientCheck.Verdict.ACCEPT : RecipientCheck.Verdict.RELAY_DENIED
                        : address.localPart().equals("small") ? size > 100 ? RecipientCheck.Verdict.OVER_QUOTA : RecipientCheck.Verdict.ACCEPT
                        : MAILBOXES.contains(address.mailboxKey()) || address.localPart().equalsIgnoreCase("postmaster")
                                ? RecipientCheck.Verdict.ACCEPT : RecipientCheck.Verdict.UNKNOWN_USER);
        MessageQueue queue = (envelope, message) -> {
            if (queueFails) {
                return Future.failedFuture("broker down");
            }
            queuedEnvelopes.add(envelope);
            queuedMessages.add(new String(message.toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
            // complete later, on another thread, as a broker acknowledgement does
            return Future.fromCompletionStage(java.util.concurrent.CompletableFuture.runAsync(() -> { }));
        };
        IngressMetrics metrics = new IngressMetrics(new SimpleMeterRegistry());
        Authenticator passwords = (client, user, password) -> Future.succeededFuture(
                user.equalsIgnoreCase("alice@example.test") && password.equals("pass word") ? Optional.of("alice@example.test") : Optional.empty());
        server = new LoopbackServer(tls ? LoopbackServer.localKeyPair() : null, socket -> {
            SmtpConnection connection = new SmtpConnection(socket, new SmtpSession(settings,
                    new SmtpSession.Client("127.0.0.1", listener, loopback), recipients, passwords, checks, queue, budget, CLOCK), metrics,
                    new SmtpConnection.Timeouts(commandTimeoutMillis, dataTimeoutMillis, maxDataMillis), timers, () -> { });
            connections.add(connection);
            connection.start();
        });
        timers = new ManualTimers(server.vertx());
        budget = new InflightBudget(server.vertx(), timers, budgetOctets, budgetWaitMillis);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private LineClient connect() throws Exception {
        LineClient client = server.connect();
        client.expect("220 mx.example.test ESMTP ready");
        return client;
    }

    /** The EHLO reply, line by line: what every session is offered, then {@code offered}. */
    private static void expectEhlo(LineClient c, String... offered) throws Exception {
        List<String> lines = new ArrayList<>(List.of("mx.example.test", "PIPELINING", "SIZE 200", "8BITMIME", "ENHANCEDSTATUSCODES", "DSN",
                "SMTPUTF8", "CHUNKING"));
        lines.addAll(List.of(offered));
        for (int i = 0; i < lines.size(); i++) {
            c.expect((i < lines.size() - 1 ? "250-" : "250 ") + lines.get(i));
        }
    }

    @Test
    void ehloAnnouncesExtensions() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\n");
            expectEhlo(c, "AUTH PLAIN LOGIN");
            c.send("QUIT\r\n");
            c.expect("221 2.0.0 Bye");
            assertNull(c.line(), "the server closes after QUIT");
        }
    }

    @Test
    void pipelinedTransactionIsAnsweredInOrderAndDotUnstuffed() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<Alice@Example.TEST>\r\n"
                    + "RCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<carol@elsewhere.example>\r\nDATA\r\n");
            c.skipReply();
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown");
            c.expect("250 2.1.5 Ok");
            c.expect("554 5.7.1 <carol@elsewhere.example>: Relay access denied");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("Subject: t\r\n\r\n..leading dot\r\n.\r\n");
            String queued = c.expectStart("250 2.0.0 Ok: queued as ");
            c.send("QUIT\r\n");
            c.expect("221 2.0.0 Bye");

            Envelope envelope = queuedEnvelopes.get(0);
            assertEquals(queued.substring("250 2.0.0 Ok: queued as ".length()), envelope.queueId());
            assertEquals("bob@example.org", envelope.reversePath());
            assertEquals(List.of(Envelope.Recipient.of("Alice@example.test")), envelope.recipients(), "named twice: one copy");
            assertEquals("Received: from client.example ([127.0.0.1])\r\n"
                    + "\tby mx.example.test with ESMTP id " + envelope.queueId() + "\r\n"
                    + "\tfor <Alice@example.test>; Sat, 28 Nov 2026 07:00:00 +0000\r\n"
                    + "Subject: t\r\n\r\n.leading dot\r\n", queuedMessages.get(0));
        }
    }

    @Test
    void sequenceErrors() throws Exception {
        try (LineClient c = connect()) {
            c.send("MAIL FROM:<a@example.org>\r\n");
            c.expect("503 5.5.1 Error: send HELO/EHLO first");
            c.send("HELO client.example\r\n");
            c.expect("250 mx.example.test");
            c.send("RCPT TO:<alice@example.test>\r\n");
            c.expect("503 5.5.1 Error: need MAIL command");
            c.send("DATA\r\n");
            c.expect("503 5.5.1 Error: need MAIL command");
            // what must come first is said before what is wrong with the arguments, as Postfix does
            c.send("DATA now\r\n");
            c.expect("503 5.5.1 Error: need MAIL command");
            c.send("MAIL FROM:<>\r\n");
            c.expect("250 2.1.0 Ok");
            c.send("MAIL FROM:<>\r\n");
            c.expect("503 5.5.1 Error: nested MAIL command");
            c.send("DATA\r\n");
            c.expect("503 5.5.1 Error: need RCPT command");
            c.send("RSET\r\n");
            c.expect("250 2.0.0 Ok");
            c.send("RCPT TO:<alice@example.test>\r\n");
            c.expect("503 5.5.1 Error: need MAIL command");
            c.send("AUTH PLAIN\r\n");
            c.expect("503 5.5.1 Error: send EHLO first");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("MAIL FROM:<>\r\n");
            c.expect("250 2.1.0 Ok");
            // RFC 4954 section 4: no AUTH inside a mail transaction
            c.send("AUTH PLAIN\r\n");
            c.expect("503 5.5.1 Error: MAIL transaction in progress");
            // RFC 3030 section 2: a refused BDAT's chunk is read, never taken for commands
            c.send("BDAT 6 LAST\r\nQUIT\r\n");
            c.expect("503 5.5.1 Error: need RCPT command");
            c.send("NOOP\r\n");
            c.expect("250 2.0.0 Ok");
        }
    }

    @Test
    void syntaxErrors() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO\r\n");
            c.expect("501 5.5.4 Syntax: EHLO hostname");
            c.send("FROB\r\n");
            c.expect("500 5.5.2 Error: command not recognized");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("MAIL FROM:bob@example.org\r\n");
            c.expect("501 5.5.4 Syntax: MAIL FROM:<address>");
            c.send("MAIL FROM:<bob@@example.org>\r\n");
            c.expectStart("501 5.1.7 ");
            c.send("MAIL FROM:<bob@example.org> FROB=1\r\n");
            c.expect("555 5.5.4 Unsupported option");
            c.send("MAIL FROM:<bob@example.org> SIZE=201\r\n");
            c.expect("552 5.3.4 Error: message size exceeds fixed limit");
            c.send("MAIL FROM:<bob@example.org> SIZE=20 BODY=8BITMIME\r\n");
            c.expect("250 2.1.0 Ok");
            c.send("RCPT TO:<>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax");
            c.send("RCPT TO:<" + "x".repeat(2100) + "@example.test>\r\n");
            c.expect("500 5.5.2 Error: line too long");
            c.send("VRFY alice\r\n");
            c.expectStart("252 2.0.0 ");
            c.send("NOOP\r\n");
            c.expect("250 2.0.0 Ok");
        }
    }

    @Test
    void heloNamesWithControlCharactersNeverReachTheReceivedLine() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO good.example\r\nMAIL FROM:<>\r\n");
            c.skipReply();
            c.expect("250 2.1.0 Ok");
            // the line decoder splits at LF only: a bare CR stays in the argument
            c.send("EHLO a\rX-Injected:\tyes\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            c.send("HELO a\tb\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            // a bare CR or TAB at the end is not white space to drop: it is refused too
            c.send("EHLO a\r\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            c.send("HELO a\t\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            c.send("EHLO a\u0000b\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            c.send("EHLO a\u0085b\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            c.send("EHLO b\u00fccher.example\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            c.send("EHLO " + "a".repeat(256) + "\r\n");
            c.expect("501 5.5.2 Helo command rejected: Invalid name");
            // a refused EHLO changes nothing: the transaction and the earlier name stand
            c.send("RCPT TO:<alice@example.test>\r\nDATA\r\n");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
            c.send("EHLO [192.0.2.1]\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            c.skipReply();
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals("Received: from good.example ([127.0.0.1])\r\n"
                + "\tby mx.example.test with ESMTP id " + queuedEnvelopes.get(0).queueId() + "\r\n"
                + "\tfor <alice@example.test>; Sat, 28 Nov 2026 07:00:00 +0000\r\n"
                + "x\r\n", queuedMessages.get(0));
        assertEquals("good.example", queuedEnvelopes.get(0).heloName());
        assertEquals("Received: from [192.0.2.1] ([127.0.0.1])\r\n"
                + "\tby mx.example.test with ESMTP id " + queuedEnvelopes.get(1).queueId() + "\r\n"
                + "\tfor <alice@example.test>; Sat, 28 Nov 2026 07:00:00 +0000\r\n"
                + "x\r\n", queuedMessages.get(1));
    }

    @Test
    void recipientLimitAndPostmaster() throws Exception {
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<postmaster@example.test>\r\nRCPT TO:<alice@example.test>\r\n"
                    + "RCPT TO:<postmaster@EXAMPLE.test>\r\nRCPT TO:<bob@example.test>\r\n");
            c.expect("250 mx.example.test");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.1.5 Ok");
            c.send("RCPT TO:<carol@example.test>\r\n");
            c.expect("452 4.5.3 Error: too many recipients");
        }
    }

    @Test
    void oversizedMessageIsReadToTheEndThenRefused() throws Exception {
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            c.expect("250 mx.example.test");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send(("y".repeat(70) + "\r\n").repeat(5) + ".\r\nNOOP\r\n");
            c.expect("552 5.3.4 Error: message size exceeds fixed limit");
            c.expect("250 2.0.0 Ok");
            assertEquals(0, queuedEnvelopes.size());
        }
    }

    @Test
    void queueFailureIsATemporaryError() throws Exception {
        queueFails = true;
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            c.skipReply();
            c.skipReply();
            c.skipReply();
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("hi\r\n.\r\n");
            c.expect("451 4.3.0 Error: queue write failed, try again later");
        }
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void restart() {
        stopServer();
        startServer();
    }

    @Test
    void authPlainLetsTheClientRelayAsItself() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("AUTH PLAIN " + plain("Alice@example.test", "pass word") + "\r\n");
            c.expect("235 2.7.0 Authentication successful");
            c.send("AUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\n");
            c.expect("503 5.5.1 Error: already authenticated");
            c.send("MAIL FROM:<bob@example.test>\r\n");
            c.expect("553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user");
            c.send("MAIL FROM:<alice@example.test>\r\nRCPT TO:<carol@elsewhere.example>\r\nDATA\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("hi\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals(Optional.of("alice@example.test"), queuedEnvelopes.get(0).authUser());
        assertEquals(true, queuedMessages.get(0).contains(" with ESMTPA id "), queuedMessages.get(0));
    }

    /**
     * Issue 19 on the wire: a stranger's message gets the checks' Authentication-Results right under our
     * Received line, a forged one claiming our name is gone; a DMARC reject is refused at the end of data;
     * a logged-in user's mail is not checked.
     */
    @Test
    void strangersMailIsCheckedAndMarked_aDmarcRejectRefused_submissionsNot() throws Exception {
        try (ZoneServer zone = new ZoneServer().txt("example.org", 60, "v=spf1 ip4:127.0.0.1 -all")
                .txt("forged.example", 60, "v=spf1 -all").txt("_dmarc.forged.example", 60, "v=DMARC1; p=reject");
                DnsResolver resolver = new DnsResolver(server.vertx(), DnsResolver.Settings.of(List.of(zone.address()), Duration.ofSeconds(1)))) {
            checks = new InboundChecks(server.vertx(), resolver, "mx.example.test",
                    new InboundChecks.Settings(Duration.ofSeconds(3), true, false, false), new IngressMetrics(new SimpleMeterRegistry()));
            try (LineClient c = connect()) {
                c.send("EHLO client.example\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
                c.skipReply();
                c.expect("250 2.1.0 Ok");
                c.expect("250 2.1.5 Ok");
                c.expect("354 End data with <CR><LF>.<CR><LF>");
                c.send("Authentication-Results: mx.example.test; dmarc=pass header.from=example.org\r\n"
                        + "From: <bob@example.org>\r\nSubject: t\r\n\r\nx\r\n.\r\n");
                c.expectStart("250 2.0.0 Ok: queued as ");
                c.send("MAIL FROM:<ceo@forged.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
                c.expect("250 2.1.0 Ok");
                c.expect("250 2.1.5 Ok");
                c.expect("354 End data with <CR><LF>.<CR><LF>");
                c.send("From: <ceo@forged.example>\r\nSubject: pay now\r\n\r\nx\r\n.\r\n");
                c.expect("550 5.7.1 Email rejected by the DMARC policy of forged.example");
                c.send("AUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\n");
                c.expect("235 2.7.0 Authentication successful");
                c.send("MAIL FROM:<alice@example.test>\r\nRCPT TO:<carol@forged.example>\r\nDATA\r\n");
                c.expect("250 2.1.0 Ok");
                c.expect("250 2.1.5 Ok");
                c.expect("354 End data with <CR><LF>.<CR><LF>");
                c.send("From: <alice@example.test>\r\nSubject: mine\r\n\r\nx\r\n.\r\n");
                c.expectStart("250 2.0.0 Ok: queued as ");
            }
        }
        assertEquals(2, queuedMessages.size(), "the DMARC reject was not queued");
        assertEquals("Received: from client.example ([127.0.0.1])\r\n"
                + "\tby mx.example.test with ESMTP id " + queuedEnvelopes.get(0).queueId() + "\r\n"
                + "\tfor <alice@example.test>; Sat, 28 Nov 2026 07:00:00 +0000\r\n"
                + "Authentication-Results: mx.example.test; spf=pass (example.org: ip4:127.0.0.1\r\n"
                + " matched) smtp.mailfrom=example.org; dkim=none; dmarc=none (No DMARC record)\r\n"
                + " header.from=example.org\r\n"
                + "From: <bob@example.org>\r\nSubject: t\r\n\r\nx\r\n", queuedMessages.get(0));
        assertEquals(false, queuedMessages.get(1).contains("Authentication-Results"), "a submission is not checked: " + queuedMessages.get(1));
    }

    /**
     * A client that goes away while its message is being checked saw no 250 and will send it again: the
     * message is not queued (no copy twice), and its bytes' room goes back to the budget.
     */
    @Test
    void aMessageWhoseClientLeftDuringTheChecksIsNotQueued() throws Exception {
        java.util.concurrent.CountDownLatch checking = new java.util.concurrent.CountDownLatch(1);
        checks = (sender, message) -> {
            io.vertx.core.Promise<MessageChecks.Verdict> verdict = io.vertx.core.Promise.promise();
            server.vertx().setTimer(1000, id -> verdict.complete(MessageChecks.Verdict.UNCHECKED));
            checking.countDown();
            return verdict.future();
        };
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            c.expect("250 mx.example.test");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("Subject: gone\r\n\r\nx\r\n.\r\n");
        }
        assertTrue(checking.await(5, java.util.concurrent.TimeUnit.SECONDS), "the message reached the checks");
        assertTrue(budget.inUse() > 0, "its bytes are held while it is checked");
        // the room goes back when the verdict comes, which then queues nothing
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (budget.inUse() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, budget.inUse(), "the message's room went back");
        assertEquals(List.of(), queuedMessages, "not queued");
    }

    @Test
    void authLoginExchangeAndItsErrors() throws Exception {
        try (LineClient c = connect()) {
            c.send("AUTH LOGIN\r\n");
            c.expect("503 5.5.1 Error: send EHLO first");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("AUTH CRAM-MD5\r\n");
            c.expect("504 5.5.4 Unrecognized authentication type");
            c.send("AUTH LOGIN\r\n");
            c.expect("334 VXNlcm5hbWU6");
            c.send(b64("alice@example.test") + "\r\n");
            c.expect("334 UGFzc3dvcmQ6");
            c.send(b64("wrong") + "\r\n");
            c.expect("535 5.7.8 Error: authentication failed");
            c.send("AUTH PLAIN\r\n");
            c.expect("334 ");
            c.send("*\r\n");
            c.expect("501 5.0.0 Authentication cancelled");
            c.send("AUTH PLAIN not-base64!\r\n");
            c.expect("501 5.5.2 Cannot decode response");
            c.send("AUTH LOGIN " + b64("alice@example.test") + "\r\n");
            c.expect("334 UGFzc3dvcmQ6");
            c.send(b64("pass word") + "\r\n");
            c.expect("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void authIdentitiesWithControlCharactersAreRefused() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("AUTH PLAIN " + plain("alice@example.test\r\nX-Injected: yes", "pass word") + "\r\n");
            c.expect("501 5.5.4 Error: invalid authentication identity");
            c.send("AUTH PLAIN " + b64("alice@example.test\r\0alice@example.test\0pass word") + "\r\n");
            c.expect("501 5.5.4 Error: invalid authentication identity");
            c.send("AUTH PLAIN " + plain("alice\u0085@example.test", "pass word") + "\r\n");
            c.expect("501 5.5.4 Error: invalid authentication identity");
            c.send("AUTH PLAIN " + plain("a".repeat(256), "pass word") + "\r\n");
            c.expect("501 5.5.4 Error: invalid authentication identity");
            c.send("AUTH LOGIN\r\n");
            c.expect("334 VXNlcm5hbWU6");
            c.send(b64("alice@example.test\rX-Injected: yes") + "\r\n");
            c.expect("501 5.5.4 Error: invalid authentication identity");
            c.send("AUTH LOGIN " + b64("alice\t@example.test") + "\r\n");
            c.expect("501 5.5.4 Error: invalid authentication identity");
            // a password is never written anywhere: it may hold anything but NUL (RFC 4616)
            c.send("AUTH PLAIN " + plain("alice@example.test", "pass\r\tword") + "\r\n");
            c.expect("535 5.7.8 Error: authentication failed");
            c.send("AUTH PLAIN " + b64("alice@example.test\0alice@example.test\0pass word") + "\r\n");
            c.expect("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void authLinesMayBeLongerThanCommandLines() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("AUTH PLAIN " + plain("alice@example.test", "x".repeat(6000)) + "\r\n");
            c.expect("535 5.7.8 Error: authentication failed");
            c.send("NOOP " + "x".repeat(3000) + "\r\n");
            c.expect("500 5.5.2 Error: line too long");
            c.send("AUTH PLAIN " + "x".repeat(13000) + "\r\n");
            c.expect("500 5.5.2 Error: line too long");
        }
    }

    @Test
    void submissionNeedsAuthBeforeMail() throws Exception {
        listener = Listener.SUBMISSION;
        restart();
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\nMAIL FROM:<alice@example.test>\r\n");
            c.skipReply();
            c.expect("530 5.7.0 Authentication required");
            c.send("AUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\nMAIL FROM:<>\r\n");
            c.expect("235 2.7.0 Authentication successful");
            c.expect("250 2.1.0 Ok");
        }
    }

    @Test
    void startTlsForgetsAnEarlierAuth() throws Exception {
        tls = true;
        listener = Listener.SUBMISSION;
        restart();
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\n");
            expectEhlo(c, "STARTTLS", "AUTH PLAIN LOGIN");
            // a loopback client may AUTH before STARTTLS; RFC 3207 section 4.2: after it, the server knows nothing of it
            c.send("AUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\n");
            c.expect("235 2.7.0 Authentication successful");
            c.send("STARTTLS\r\n");
            c.expect("220 2.0.0 Ready to start TLS");
            c.startTls();
            c.send("EHLO client.example\r\nMAIL FROM:<alice@example.test>\r\n");
            expectEhlo(c, "AUTH PLAIN LOGIN");
            c.expect("530 5.7.0 Authentication required");
            c.send("AUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\nMAIL FROM:<alice@example.test>\r\n");
            c.expect("235 2.7.0 Authentication successful");
            c.expect("250 2.1.0 Ok");
        }
    }

    @Test
    void remoteClientWithoutTlsGetsNoAuth() throws Exception {
        loopback = false;
        restart();
        try (LineClient c = connect()) {
            c.send("EHLO client.example\r\n");
            expectEhlo(c);
            c.send("AUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\n");
            c.expect("538 5.7.11 Encryption required for requested authentication mechanism");
            c.send("STARTTLS\r\n");
            c.expect("502 5.5.1 Error: command not implemented");
        }
    }

    /** Opens a transaction to alice and answers the 354; the caller sends the data. */
    private static void startData(LineClient c) throws Exception {
        c.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
        c.expect("250 mx.example.test");
        c.expect("250 2.1.0 Ok");
        c.expect("250 2.1.5 Ok");
        c.expect("354 End data with <CR><LF>.<CR><LF>");
    }

    @Test
    void bareLineBreaksInDataAreRefusedSoNothingCanBeSmuggled() throws Exception {
        try (LineClient c = connect()) {
            startData(c);
            // a smuggling attempt: <LF>.<LF> then a second transaction, inside one DATA
            c.send("Subject: a\r\n\r\nhi\n.\nMAIL FROM:<x@example.org>\r\n.\r\nNOOP\r\n");
            c.expect("554 5.6.0 Error: bare CR or LF in message data (RFC 5321 section 2.3.8)");
            c.expect("250 2.0.0 Ok");
            startData(c);
            c.send("Subject: b\r\n\r\nbare\rCR\r\n.\r\n");
            c.expect("554 5.6.0 Error: bare CR or LF in message data (RFC 5321 section 2.3.8)");
        }
        assertEquals(0, queuedEnvelopes.size());
    }

    @Test
    void tooManyReceivedLinesIsALoop() throws Exception {
        try (LineClient c = connect()) {
            startData(c);
            c.send("Received: from a\r\nReceived: from b\r\nreceived: from c\r\nSubject: loop\r\n\r\nx\r\n.\r\n");
            c.expect("554 5.4.6 Error: too many hops, a mail loop?");
            startData(c);
            // Received lines after the header block do not count
            c.send("Received: from a\r\nSubject: fine\r\n\r\nReceived: b\r\nReceived: c\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
    }

    @Test
    void mailboxOverQuotaIsATemporaryRefusal() throws Exception {
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<> SIZE=150\r\nRCPT TO:<small@example.test>\r\n");
            c.expect("250 mx.example.test");
            c.expect("555 5.5.4 Unsupported option");
            c.expect("503 5.5.1 Error: need MAIL command");
            c.send("EHLO c\r\n");
            c.skipReply();
            c.send("MAIL FROM:<> SIZE=150\r\nRCPT TO:<small@example.test>\r\nRSET\r\nMAIL FROM:<> SIZE=50\r\nRCPT TO:<small@example.test>\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("452 4.2.2 <small@example.test>: Mailbox full");
            c.expect("250 2.0.0 Ok");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
        }
    }

    @Test
    void addressTricksNeverReachAnotherDomain() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\nMAIL FROM:<>\r\n");
            c.skipReply();
            c.expect("250 2.1.0 Ok");
            c.send("RCPT TO:<x@remote.example@example.test>\r\n");
            c.expectStart("553 5.1.3 ");
            c.send("RCPT TO:<\"x@remote.example\"@example.test>\r\n");
            c.expectStart("550 5.1.1 ");
            c.send("RCPT TO:<x%remote.example@example.test>\r\n");
            c.expectStart("550 5.1.1 ");
            c.send("RCPT TO:<remote.example!x@example.test>\r\n");
            c.expectStart("550 5.1.1 ");
            c.send("RCPT TO:<@example.test:x@remote.example>\r\n");
            c.expect("554 5.7.1 <x@remote.example>: Relay access denied");
        }
    }

    @Test
    void addressesWithControlCharactersAreRefused() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\n");
            c.skipReply();
            c.send("MAIL FROM:<bob\rX-Injected:@example.org>\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Bad local part");
            c.send("MAIL FROM:<bob\u0085@example.org> SMTPUTF8\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Bad local part");
            c.send("MAIL FROM:<@relay\r.example:bob@example.org>\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Bad source route");
            c.send("MAIL FROM:<bob@example.org> SMTPUTF8\r\n");
            c.expect("250 2.1.0 Ok");
            c.send("RCPT TO:<alice\r@example.test>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Bad local part");
            c.send("RCPT TO:<\"alice\rX-Injected: yes\"@example.test>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Bad local part");
            c.send("RCPT TO:<\"alice\u0085\"@example.test>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Bad local part");
            c.send("RCPT TO:<alice@example\u0085.test>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Bad domain");
            c.send("RCPT TO:<alice@[192.0.2.1\t]>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Address literals are not routed");
            c.send("RCPT TO:<Alice@Example.test>\r\nDATA\r\n");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        Envelope envelope = queuedEnvelopes.get(0);
        assertEquals("bob@example.org", envelope.reversePath());
        assertEquals("Received: from c ([127.0.0.1])\r\n"
                + "\tby mx.example.test with UTF8ESMTP id " + envelope.queueId() + "\r\n"
                + "\tfor <Alice@example.test>; Sat, 28 Nov 2026 07:00:00 +0000\r\n"
                + "x\r\n", queuedMessages.get(0));
    }

    /**
     * Issue 15: addresses the worker could not store, route or bounce are refused at MAIL and RCPT, on an
     * authenticated SMTPUTF8 session where everything else would pass: domains measured as A-labels, local
     * parts as they are stored (case-folded), in octets.
     */
    @Test
    void addressesTheWorkerCouldNotHandleAreRefusedBeforeTheyAreAccepted() throws Exception {
        String eAcute = "\u00e9";
        String dottedCapitalI = "\u0130";
        try (LineClient c = connect()) {
            c.send("EHLO c\r\nAUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\n");
            c.skipReply();
            c.expect("235 2.7.0 Authentication successful");
            c.send("MAIL FROM:<bob@" + dottedCapitalI.repeat(32) + ".example> SMTPUTF8\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Domain has no valid A-label form");
            c.send("MAIL FROM:<bob@" + "b".repeat(64) + ".example>\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Domain label over 63 octets");
            c.send("MAIL FROM:<bob@xn--ls8h.example>\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Domain has no valid A-label form");
            c.send("MAIL FROM:<bob@[192.0.2.1]>\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Address literals are not routed");
            c.send("MAIL FROM:<" + dottedCapitalI.repeat(32) + "@example.test> SMTPUTF8\r\n");
            c.expect("501 5.1.7 Bad sender address syntax: Local part over 64 octets");
            c.send("MAIL FROM:<alice@example.test> SMTPUTF8\r\n");
            c.expect("250 2.1.0 Ok");

            c.send("RCPT TO:<x@" + eAcute.repeat(60) + ".com>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Domain has no valid A-label form");
            // 63 characters, 64 octets as given; "xn--" and 66 more as an A-label
            c.send("RCPT TO:<x@" + "a".repeat(62) + eAcute + ".example>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Domain has no valid A-label form");
            c.send("RCPT TO:<x@" + dottedCapitalI.repeat(32) + ".example>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Domain has no valid A-label form");
            c.send("RCPT TO:<x@xn--99999999999999a.example>\r\nRCPT TO:<x@XN--ZCA.example>\r\nRCPT TO:<x@xn--b" + eAcute + "cher.example>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Domain has no valid A-label form");
            c.expect("553 5.1.2 Bad destination system address: Domain has no valid A-label form");
            c.expect("553 5.1.2 Bad destination system address: Domain has no valid A-label form");
            c.send("RCPT TO:<x@stra\u00dfe.example>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Domain has a character IDNA2003 and IDNA2008 convert differently");
            c.send("RCPT TO:<x@[192.0.2.1]>\r\nRCPT TO:<x@[IPv6:2001:db8::1]>\r\n");
            c.expect("553 5.1.2 Bad destination system address: Address literals are not routed");
            c.expect("553 5.1.2 Bad destination system address: Address literals are not routed");
            // 64 octets as given, 96 once lower-cased for the ledger
            c.send("RCPT TO:<" + dottedCapitalI.repeat(32) + "@remote.example>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Local part over 64 octets");
            c.send("RCPT TO:<" + eAcute.repeat(33) + "@remote.example>\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Local part over 64 octets");
            // 245 octets as given; the IDN's A-labels make it 257
            String idnLabel = eAcute + "d".repeat(55);
            c.send("RCPT TO:<" + "l".repeat(64) + "@" + idnLabel + "." + idnLabel + "." + "d".repeat(62) + ">\r\n");
            c.expect("553 5.1.3 Bad recipient address syntax: Path over 256 octets");

            c.send("RCPT TO:<\"john doe\"@remote.test>\r\nRCPT TO:<J\u00f6rg@B\u00dcCHER.example>\r\n"
                    + "RCPT TO:<" + dottedCapitalI.repeat(21) + "@remote.example>\r\nDATA\r\n");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals(List.of(Envelope.Recipient.of("\"john doe\"@remote.test"), Envelope.Recipient.of("J\u00f6rg@xn--bcher-kva.example"),
                Envelope.Recipient.of("\u0130".repeat(21) + "@remote.example")), queuedEnvelopes.get(0).recipients());
    }

    @Test
    void aUtf8DomainNeedsSmtpUtf8ThoughItTravelsAsALabels() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\nMAIL FROM:<bob@b\u00fccher.example>\r\nMAIL FROM:<bob@xn--bcher-kva.example>\r\n"
                    + "RCPT TO:<alice@ex\u00e4mple.test>\r\nRCPT TO:<alice@example.test>\r\n");
            c.skipReply();
            c.expect("553 5.6.7 UTF-8 addresses need SMTPUTF8 on MAIL (RFC 6531)");
            c.expect("250 2.1.0 Ok");
            c.expect("553 5.6.7 UTF-8 addresses need SMTPUTF8 on MAIL (RFC 6531)");
            c.expect("250 2.1.5 Ok");
        }
    }

    @Test
    void tooManyErrorsEndTheSession() throws Exception {
        maxErrors = 3;
        restart();
        try (LineClient c = connect()) {
            c.send("FROB\r\nRCPT TO:<a@example.test>\r\nFROB\r\nNOOP\r\n");
            c.expect("500 5.5.2 Error: command not recognized");
            c.expect("503 5.5.1 Error: send HELO/EHLO first");
            c.expect("421 4.7.0 mx.example.test Error: too many errors");
            assertNull(c.line());
        }
    }

    @Test
    void silentClientIsDisconnected() throws Exception {
        commandTimeoutMillis = 300;
        restart();
        try (LineClient c = connect()) {
            c.send("HELO c\r\n");
            c.expect("250 mx.example.test");
            timers.advance(300);
            c.expect("421 4.4.2 mx.example.test Error: timeout exceeded");
            assertNull(c.line());
        }
    }

    @Test
    void aClientThatKeepsTalkingIsNeverTimedOut() throws Exception {
        commandTimeoutMillis = 300;
        restart();
        try (LineClient c = connect()) {
            // six commands 150 ms apart: three times the timeout in all, never 300 ms of silence
            for (int i = 0; i < 6; i++) {
                c.send("NOOP\r\n");
                c.expect("250 2.0.0 Ok");
                timers.advance(150);
            }
            c.send("QUIT\r\n");
            c.expect("221 2.0.0 Bye");
        }
    }

    @Test
    void insideDataItsTimeoutHoldsAndAfterTheMessageTheShorterCommandTimeoutAgain() throws Exception {
        commandTimeoutMillis = 300;
        dataTimeoutMillis = 60_000;
        restart();
        try (LineClient c = connect()) {
            startData(c);
            c.send("Subject: t\r\n\r\n");
            // twice the command timeout inside DATA: its own, longer timeout holds there
            timers.advance(600);
            c.send("body\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
            // the command timeout's 300 ms end it: the data timeout (60 s) no longer applies
            timers.advance(300);
            c.expect("421 4.4.2 mx.example.test Error: timeout exceeded");
        }
    }

    @Test
    void shutdownLetsAMessageInProgressFinish() throws Exception {
        String goodbye = "421 4.3.2 mx.example.test Service shutting down\r\n";
        try (LineClient idle = connect(); LineClient sending = connect()) {
            idle.send("HELO idle\r\n");
            idle.expect("250 mx.example.test");
            startData(sending);
            sending.send("Subject: in flight\r\n\r\nfirst half\r\n");
            Thread.sleep(100);
            connections.forEach(connection -> connection.shutDown(goodbye));

            idle.expect("421 4.3.2 mx.example.test Service shutting down");
            assertNull(idle.line());
            sending.send("second half\r\n.\r\n");
            sending.expectStart("250 2.0.0 Ok: queued as ");
            sending.expect("421 4.3.2 mx.example.test Service shutting down");
            assertNull(sending.line());
        }
        assertEquals("Subject: in flight\r\n\r\nfirst half\r\nsecond half\r\n",
                queuedMessages.get(0).substring(queuedMessages.get(0).indexOf("Subject:")));
    }

    @Test
    void dsnParametersAreCheckedAndKeptForDelivery() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\n");
            c.skipReply();
            c.send("MAIL FROM:<bob@example.org> RET=ALL\r\n");
            c.expect("501 5.5.4 Bad RET parameter");
            c.send("MAIL FROM:<bob@example.org> ENVID=a=b\r\n");
            c.expect("501 5.5.4 Bad ENVID parameter");
            c.send("MAIL FROM:<bob@example.org> RET=hdrs ENVID=QQ+2B1\r\n");
            c.expect("250 2.1.0 Ok");
            c.send("RCPT TO:<alice@example.test> NOTIFY=NEVER,SUCCESS\r\n");
            c.expect("501 5.5.4 Bad NOTIFY parameter");
            c.send("RCPT TO:<alice@example.test> ORCPT=alice@example.test\r\n");
            c.expect("501 5.5.4 Bad ORCPT parameter");
            c.send("RCPT TO:<alice@example.test> FROB=1\r\n");
            c.expect("555 5.5.4 Unsupported option");
            c.send("RCPT TO:<alice@example.test> notify=failure,delay ORCPT=rfc822;alice+40example.test\r\nDATA\r\n");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        Envelope envelope = queuedEnvelopes.get(0);
        assertEquals(java.util.Map.of("RET", "HDRS", "ENVID", "QQ+2B1"), envelope.mailParams());
        assertEquals(java.util.Map.of("NOTIFY", "FAILURE,DELAY", "ORCPT", "rfc822;alice+40example.test"),
                envelope.recipients().get(0).params());
    }

    @Test
    void parametersWithControlCharactersAreRefused() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\n");
            c.skipReply();
            c.send("MAIL FROM:<bob@example.org> SIZE=1\r0\r\n");
            c.expect("501 5.5.4 Bad SIZE parameter");
            c.send("MAIL FROM:<bob@example.org> SIZE=\u0661\u0662\r\n");
            c.expect("501 5.5.4 Bad SIZE parameter");
            c.send("MAIL FROM:<bob@example.org> BODY=8BITMIME\rX-Injected:\tyes\r\n");
            c.expect("501 5.5.4 Bad BODY parameter");
            c.send("MAIL FROM:<bob@example.org> RET=FULL\u0000\r\n");
            c.expect("501 5.5.4 Bad RET parameter");
            c.send("MAIL FROM:<bob@example.org> SMTPUTF8=\u0085\r\n");
            c.expect("501 5.5.4 Bad SMTPUTF8 parameter");
            c.send("MAIL FROM:<bob@example.org> ENVID=a\rX-Injected:+20yes\r\n");
            c.expect("501 5.5.4 Bad ENVID parameter");
            // xtext that decodes to a line break: the DSN would echo it
            c.send("MAIL FROM:<bob@example.org> ENVID=a+0D+0AX-Injected:+20yes\r\n");
            c.expect("501 5.5.4 Bad ENVID parameter");
            c.send("MAIL FROM:<bob@example.org> X\rY=1\r\n");
            c.expect("501 5.5.4 Syntax: MAIL FROM:<address>");
            c.send("MAIL FROM:<bob@example.org> ENVID=QQ+2B+20x\r\n");
            c.expect("250 2.1.0 Ok");
            c.send("RCPT TO:<alice@example.test> NOTIFY=SUCCESS\rX\r\n");
            c.expect("501 5.5.4 Bad NOTIFY parameter");
            c.send("RCPT TO:<alice@example.test> ORCPT=rfc822;a+0D+0AX-Injected:+20yes\r\n");
            c.expect("501 5.5.4 Bad ORCPT parameter");
            c.send("RCPT TO:<alice@example.test> ORCPT=rfc\r822;alice@example.test\r\n");
            c.expect("501 5.5.4 Bad ORCPT parameter");
            c.send("RCPT TO:<alice@example.test> ORCPT=rfc822;a\u0085b@example.test\r\n");
            c.expect("501 5.5.4 Bad ORCPT parameter");
            c.send("RCPT TO:<alice@example.test> X\u0000=1\r\n");
            c.expect("501 5.5.4 Syntax: RCPT TO:<address>");
            c.send("RCPT TO:<alice@example.test> NOTIFY=FAILURE ORCPT=rfc822;alice+40example.test\r\nDATA\r\n");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        Envelope envelope = queuedEnvelopes.get(0);
        assertEquals(java.util.Map.of("ENVID", "QQ+2B+20x"), envelope.mailParams());
        assertEquals(java.util.Map.of("NOTIFY", "FAILURE", "ORCPT", "rfc822;alice+40example.test"), envelope.recipients().get(0).params());
    }

    @Test
    void aRefusedMailLeavesNoParametersForTheNext() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\nAUTH PLAIN " + plain("alice@example.test", "pass word") + "\r\n");
            c.skipReply();
            c.expect("235 2.7.0 Authentication successful");
            c.send("MAIL FROM:<bob@example.test> SMTPUTF8 SIZE=150\r\n");
            c.expect("553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user");
            c.send("MAIL FROM:<j\u00f6rg@example.org>\r\n");
            c.expect("553 5.6.7 UTF-8 addresses need SMTPUTF8 on MAIL (RFC 6531)");
            c.send("MAIL FROM:<alice@example.test> SMTPUTF8 RET=ALL\r\n");
            c.expect("501 5.5.4 Bad RET parameter");
            c.send("MAIL FROM:<alice@example.test>\r\n");
            c.expect("250 2.1.0 Ok");
            c.send("RCPT TO:<j\u00f6rg@example.org>\r\n");
            c.expect("553 5.6.7 UTF-8 addresses need SMTPUTF8 on MAIL (RFC 6531)");
            // the refused SIZE=150 is not declared: the 100-octet quota of small@ does not refuse
            c.send("RCPT TO:<small@example.test>\r\nDATA\r\n");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("x\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals(java.util.Map.of(), queuedEnvelopes.get(0).mailParams());
        assertEquals(true, queuedMessages.get(0).contains(" with ESMTPA id "), queuedMessages.get(0));
    }

    @Test
    void utf8AddressesNeedSmtpUtf8() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\n");
            c.skipReply();
            c.send("MAIL FROM:<j\u00f6rg@example.org>\r\n");
            c.expect("553 5.6.7 UTF-8 addresses need SMTPUTF8 on MAIL (RFC 6531)");
            c.send("MAIL FROM:<j\u00f6rg@example.org> SMTPUTF8 BODY=8BITMIME\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("354 End data with <CR><LF>.<CR><LF>");
            c.send("Subject: gr\u00fc\u00dfe\r\n\r\nx\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals(true, queuedEnvelopes.get(0).smtpUtf8());
        assertEquals("j\u00f6rg@example.org", queuedEnvelopes.get(0).reversePath());
        assertEquals(true, queuedMessages.get(0).contains(" with UTF8ESMTP id "), queuedMessages.get(0));
    }

    @Test
    void bdatChunksArePipelinedAndTakenVerbatim() throws Exception {
        String first = "Subject: chunks\r\n\r\n";
        String second = ".a dot stays single\r\n";
        try (LineClient c = connect()) {
            c.send("EHLO c\r\n");
            c.skipReply();
            c.send("MAIL FROM:<bob@example.org>\r\nRCPT TO:<alice@example.test>\r\nBDAT " + first.length() + "\r\n" + first
                    + "DATA\r\nBDAT " + second.length() + "\r\n" + second + "BDAT 0 LAST\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.0.0 " + first.length() + " octets received");
            c.expect("503 5.5.1 Error: BDAT transaction in progress, DATA not allowed");
            c.expect("250 2.0.0 " + second.length() + " octets received");
            c.expectStart("250 2.0.0 Ok: queued as ");
        }
        String queued = queuedMessages.get(0);
        assertEquals(first + second, queued.substring(queued.indexOf("Subject: chunks")));
    }

    @Test
    void refusedBdatStillConsumesItsChunk() throws Exception {
        try (LineClient c = connect()) {
            c.send("EHLO c\r\n");
            c.skipReply();
            // the chunk holds "QUIT": read as data and dropped, never run as a command
            c.send("BDAT 6 LAST\r\nQUIT\r\nNOOP\r\nBDAT x\r\n");
            c.expect("503 5.5.1 Error: need MAIL command");
            c.expect("250 2.0.0 Ok");
            c.expect("501 5.5.4 Syntax: BDAT size [LAST]");
            c.send("MAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nBDAT 9 LAST\r\nbare\nLF\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("554 5.6.0 Error: bare CR or LF in message data (RFC 5321 section 2.3.8)");
        }
        assertEquals(0, queuedEnvelopes.size());
    }

    @Test
    void textLinesOverTheLimitAreRefusedAfterTheData() throws Exception {
        try (LineClient c = connect()) {
            startData(c);
            c.send("Subject: long\r\n\r\n" + "z".repeat(98) + "\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
            startData(c);
            c.send("Subject: long\r\n\r\n" + "z".repeat(99) + "\r\n.\r\n");
            c.expect("500 5.5.2 Error: message line too long (RFC 5321 section 4.5.3.1.6)");
        }
    }

    /** Waits until {@code sessions} wait for room in the budget: their data reached it. */
    private void awaitBudgetWaiting(int sessions) throws InterruptedException {
        for (int i = 0; i < 200 && budget.waiting() != sessions; i++) {
            Thread.sleep(10);
        }
        assertEquals(sessions, budget.waiting());
    }

    /** Waits until the budget holds {@code octets}: what sessions hold shows in it a moment after their replies. */
    private void awaitBudgetInUse(long octets) throws InterruptedException {
        for (int i = 0; i < 200 && budget.inUse() != octets; i++) {
            Thread.sleep(10);
        }
        assertEquals(octets, budget.inUse(), "octets held");
    }

    @Test
    void aMessageThatFindsNoRoomInTimeGets452AndTheSessionGoesOn() throws Exception {
        // room for one session's first block, and a short wait
        budgetOctets = 8 * 1024;
        budgetWaitMillis = 300;
        restart();
        try (LineClient holding = connect(); LineClient starved = connect()) {
            startData(holding);
            holding.send("Subject: holds the room\r\n");
            awaitBudgetInUse(8 * 1024);
            startData(starved);
            starved.send("Subject: finds none\r\n\r\nbody\r\n");
            awaitBudgetWaiting(1);
            timers.advance(budgetWaitMillis);
            starved.send(".\r\n");
            starved.expect("452 4.3.1 Error: insufficient system storage, try again later");
            starved.send("NOOP\r\n");
            starved.expect("250 2.0.0 Ok");

            holding.send("\r\nbody\r\n.\r\n");
            holding.expectStart("250 2.0.0 Ok: queued as ");
            awaitBudgetInUse(0);
            // with the room given back, the same session's next message goes through
            starved.send("MAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n");
            starved.expect("250 2.1.0 Ok");
            starved.expect("250 2.1.5 Ok");
            starved.expect("354 End data with <CR><LF>.<CR><LF>");
            starved.send("Subject: second try\r\n\r\nbody\r\n.\r\n");
            starved.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals(2, queuedMessages.size());
        assertTrue(queuedMessages.get(1).endsWith("Subject: second try\r\n\r\nbody\r\n"), queuedMessages.get(1));
        awaitBudgetInUse(0);
    }

    @Test
    void aSessionWaitingForRoomGoesOnWhenAnotherGivesItBack() throws Exception {
        budgetOctets = 8 * 1024;
        restart();
        try (LineClient holding = connect(); LineClient waiting = connect()) {
            startData(holding);
            holding.send("Subject: first\r\n");
            awaitBudgetInUse(8 * 1024);
            startData(waiting);
            waiting.send("Subject: second\r\n\r\nbody\r\n.\r\n");
            awaitBudgetWaiting(1);
            holding.send("\r\nbody\r\n.\r\n");
            holding.expectStart("250 2.0.0 Ok: queued as ");
            waiting.expectStart("250 2.0.0 Ok: queued as ");
        }
        assertEquals(2, queuedMessages.size());
        assertTrue(queuedMessages.get(1).endsWith("Subject: second\r\n\r\nbody\r\n"), queuedMessages.get(1));
        awaitBudgetInUse(0);
    }

    @Test
    void aClientThatGoesAwayInTheMiddleOfAMessageGivesItsRoomBack() throws Exception {
        try (LineClient c = connect()) {
            startData(c);
            c.send("Subject: never finished\r\n");
            awaitBudgetInUse(8 * 1024);
        }
        awaitBudgetInUse(0);
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nBDAT 20\r\nSubject: half a chu");
            awaitBudgetInUse(8 * 1024);
        }
        awaitBudgetInUse(0);
        assertEquals(0, queuedMessages.size());
    }

    @Test
    void aMessageRefusedAnywayKeepsNoBytes() throws Exception {
        try (LineClient c = connect()) {
            startData(c);
            // a bare LF: refused at the end whatever follows, so nothing is kept from here on
            c.send("Subject: t\nX: y\r\n");
            awaitBudgetInUse(0);
            c.send("\r\nbody\r\n.\r\n");
            c.expect("554 5.6.0 Error: bare CR or LF in message data (RFC 5321 section 2.3.8)");
            startData(c);
            c.send("Subject: " + "x".repeat(300) + "\r\n");
            awaitBudgetInUse(0);
            c.send(".\r\n");
            c.expect("552 5.3.4 Error: message size exceeds fixed limit");
        }
    }

    @Test
    void aTransactionPastItsDeadlineIsCutThoughItsClientKeepsSending() throws Exception {
        maxDataMillis = 500;
        restart();
        try (LineClient c = connect()) {
            startData(c);
            // an octet every 50 ms up to the deadline: never silent for the data timeout, but never done
            for (long elapsed = 0; elapsed < maxDataMillis; elapsed += 50) {
                c.send("x");
                timers.advance(50);
            }
            c.expect("421 4.4.2 mx.example.test Error: message transfer took too long");
            assertNull(c.line(), "the server closes the connection");
        }
        awaitBudgetInUse(0);
        try (LineClient c = connect()) {
            c.send("HELO c\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nBDAT 5\r\nSubje");
            c.expect("250 mx.example.test");
            c.expect("250 2.1.0 Ok");
            c.expect("250 2.1.5 Ok");
            c.expect("250 2.0.0 5 octets received");
            // between chunks the deadline still runs: it covers the whole BDAT transaction
            timers.advance(500);
            c.expect("421 4.4.2 mx.example.test Error: message transfer took too long");
        }
        try (LineClient c = connect()) {
            startData(c);
            c.send("Subject: in time\r\n\r\nbody\r\n.\r\n");
            c.expectStart("250 2.0.0 Ok: queued as ");
            // after the message, the deadline no longer applies
            timers.advance(700);
            c.send("NOOP\r\n");
            c.expect("250 2.0.0 Ok");
        }
    }
}
