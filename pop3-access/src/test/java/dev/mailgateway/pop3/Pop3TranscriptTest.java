package dev.mailgateway.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.account.FailedLogins;
import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.common.server.Listeners;
import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LoopbackServer;
import dev.mailgateway.common.testing.ManualTimers;
import dev.mailgateway.common.store.MessageSource;
import dev.mailgateway.pop3.protocol.Logins;
import dev.mailgateway.pop3.protocol.MaildropLease;
import dev.mailgateway.pop3.protocol.MessageStore;
import dev.mailgateway.pop3.protocol.Pop3Responses;
import dev.mailgateway.pop3.protocol.Pop3Session;
import dev.mailgateway.pop3.protocol.ReadAhead;

/**
 * Golden transcripts of the POP3 state machine over a real socket and event
 * loop, with a maildrop in memory (the PostgreSQL one is MaildropTest's).
 */
class Pop3TranscriptTest {

    /** A message with a lone-dot line and a line that starts with a dot. */
    private static final String FIRST = "Subject: one\r\n\r\n.\r\n.hidden\r\nend\r\n";
    private static final String SECOND = "Subject: two\r\n\r\nx\r\n";
    private static final String APOP_SECRET = "tanstaaf";

    private LoopbackServer server;
    /** The connections' idle timeout runs on it: a test lets it pass with advance. */
    private ManualTimers timers;
    private final List<MessageStore.Entry> deletedEntries = new ArrayList<>();
    private boolean plaintextAllowed = true;
    private boolean apopOffered = true;
    private long idleMillis = 60_000;
    /** Short, so that the tests see a renewal without waiting 30 seconds. */
    private long lockRenewalMillis = 50;
    /** The store fails every renewal. */
    private volatile boolean storeDown;
    /** Set, reading bodies waits for it: a RETR stays in progress until the test completes it. */
    private volatile Promise<Void> bodiesHeld;
    /** Counted down when a read of bodies starts waiting for {@link #bodiesHeld}. */
    private final CountDownLatch bodiesWaiting = new CountDownLatch(1);
    private final Pop3Metrics metrics = new Pop3Metrics(new SimpleMeterRegistry());
    /** Short delays: the tests see them grow without waiting long. */
    private final FailedLogins failedLogins = new FailedLogins(Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofMinutes(1),
            System::currentTimeMillis);

    private final Logins logins = new Logins() {
        @Override
        public Future<Optional<Long>> login(String user, String password) {
            return Future.succeededFuture(user.equals("alice@example.test") && password.equals("pass word") ? Optional.of(7L) : Optional.empty());
        }

        @Override
        public Future<Optional<ApopAccount>> apopAccount(String user) {
            return Future.succeededFuture(user.equals("alice@example.test") ? Optional.of(new ApopAccount(7L, APOP_SECRET)) : Optional.empty());
        }
    };

    private final MaildropLease lease = new MaildropLease() {
        @Override
        public Future<Void> startReplica(String name) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> stopReplica() {
            return Future.succeededFuture();
        }

        @Override
        public Future<Boolean> lock(long accountId, String owner) {
            return Future.succeededFuture(lockOwners.putIfAbsent(accountId, owner) == null);
        }

        @Override
        public Future<Boolean> renew(long accountId, String owner) {
            return storeDown ? Future.failedFuture("connection refused") : Future.succeededFuture(owner.equals(lockOwners.get(accountId)));
        }

        @Override
        public Future<Void> unlock(long accountId, String owner) {
            lockOwners.remove(accountId, owner);
            return Future.succeededFuture();
        }
    };

    private final MessageStore store = new MessageStore() {
        @Override
        public Future<List<Entry>> list(long accountId) {
            return Future.succeededFuture(List.of(new Entry(1, "UID-ONE", FIRST.length(), 11), new Entry(2, "UID-TWO", SECOND.length(), 12)));
        }

        @Override
        public MessageSource content(Entry entry) {
            String text = entry.bodyId() == 11 ? FIRST : SECOND;
            // three bytes at a time: the connection must stitch chunks
            return (offset, length) -> Future.succeededFuture(Buffer.buffer(text.substring((int) offset, (int) Math.min(text.length(), offset + Math.min(length, 3)))));
        }

        @Override
        public Future<java.util.Map<Long, Buffer>> bodies(List<Entry> entries) {
            java.util.Map<Long, Buffer> bodies = new java.util.HashMap<>();
            entries.forEach(entry -> bodies.put(entry.bodyId(), Buffer.buffer(entry.bodyId() == 11 ? FIRST : SECOND)));
            if (bodiesHeld != null) {
                bodiesWaiting.countDown();
                return bodiesHeld.future().map(bodies);
            }
            return Future.succeededFuture(bodies);
        }

        /** As the real store's: deletes only while the lease is still the owner's. */
        @Override
        public Future<Boolean> delete(long accountId, String owner, List<Entry> entries) {
            if (!owner.equals(lockOwners.get(accountId))) {
                return Future.succeededFuture(false);
            }
            deletedEntries.addAll(entries);
            return Future.succeededFuture(true);
        }
    };

    private final Pop3Session.Backends backends = new Pop3Session.Backends(logins, lease, store);
    /** Room for the two messages of one session: RETR and TOP go through the read-ahead (ReadAheadTest has a spent budget). */
    private final ReadAhead.Budget readAheadBudget = new ReadAhead.Budget(FIRST.length() + SECOND.length());
    private final java.util.Map<Long, String> lockOwners = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeEach
    void startServer() {
        server = new LoopbackServer(socket -> connection(socket, () -> { }));
        timers = new ManualTimers(server.vertx());
    }

    /** A started connection to a session of the in-memory maildrop; {@code closed} runs once it has closed. */
    private Pop3Connection connection(NetSocket socket, Runnable closed) {
        Pop3Connection connection = new Pop3Connection(socket,
                new Pop3Session("pop.example.test", new Pop3Session.Offer(plaintextAllowed, false, apopOffered), backends, readAheadBudget),
                metrics, failedLogins, idleMillis, lockRenewalMillis, timers, closed);
        connection.start();
        return connection;
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private LineClient connect() throws Exception {
        return greeted(server.connect());
    }

    private static LineClient greeted(LineClient client) throws Exception {
        client.expectStart("+OK pop.example.test POP3 server ready");
        return client;
    }

    private LineClient loggedIn() throws Exception {
        LineClient c = connect();
        c.send("USER alice@example.test\r\nPASS pass word\r\n");
        c.expect("+OK Send PASS");
        c.expect("+OK Maildrop has 2 messages (" + (FIRST.length() + SECOND.length()) + " octets)");
        return c;
    }

    @Test
    void capabilities() throws Exception {
        try (LineClient c = connect()) {
            c.send("CAPA\r\n");
            c.expect("+OK Capability list follows");
            assertEquals(List.of("USER", "SASL PLAIN", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "IMPLEMENTATION mail-gateway"),
                    c.linesUntilDot());
        }
    }

    /** The greeting's APOP timestamp (RFC 1939 section 7), a msg-id. */
    private static String timestamp(String greeting) {
        assertTrue(greeting.matches("\\+OK pop\\.example\\.test POP3 server ready <[0-9a-f]+\\.[0-9]+@pop\\.example\\.test>"), greeting);
        return greeting.substring(greeting.indexOf('<'));
    }

    private static String md5Hex(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void apopLogsInWithTheDigestOfTheGreetingsTimestamp() throws Exception {
        LineClient first = server.connect();
        String timestamp = timestamp(first.line());
        try (LineClient other = server.connect()) {
            assertNotEquals(timestamp, timestamp(other.line()), "every greeting has its own timestamp");
        }
        try (LineClient c = first) {
            c.send("APOP alice@example.test " + md5Hex(timestamp + "wrong") + "\r\n");
            c.expect("-ERR [AUTH] Authentication failed");
            c.send("APOP bob@example.test " + md5Hex(timestamp + APOP_SECRET) + "\r\n");
            c.expect("-ERR [AUTH] APOP is not enabled for this account: use USER/PASS or AUTH");
            c.send("APOP alice@example.test\r\nAPOP alice@example.test xyz\r\n");
            c.expect("-ERR Syntax: APOP name digest");
            c.expect("-ERR Syntax: APOP name digest");
            // RFC 1939's example digest is lower-case; upper-case hex is the same digest
            c.send("APOP alice@example.test " + md5Hex(timestamp + APOP_SECRET).toUpperCase() + "\r\n");
            c.expect("+OK Maildrop has 2 messages (" + (FIRST.length() + SECOND.length()) + " octets)");
            c.send("QUIT\r\n");
            c.expectStart("+OK ");
        }
    }

    @Test
    void apopNeedsNoTlsButIsOffOnServersWithoutAKey() throws Exception {
        stopServer();
        plaintextAllowed = false;
        startServer();
        try (LineClient c = server.connect()) {
            String timestamp = timestamp(c.line());
            c.send("APOP alice@example.test " + md5Hex(timestamp + APOP_SECRET) + "\r\n");
            c.expectStart("+OK Maildrop has 2 messages");
            c.send("QUIT\r\n");
            c.expectStart("+OK ");
        }
        stopServer();
        apopOffered = false;
        startServer();
        try (LineClient c = server.connect()) {
            c.expect("+OK pop.example.test POP3 server ready");
            c.send("APOP alice@example.test " + md5Hex("<1.2@x>" + APOP_SECRET) + "\r\n");
            c.expect("-ERR APOP is not available on this server");
        }
    }

    @Test
    void failedLoginsAreAnsweredAfterAGrowingDelay() throws Exception {
        try (LineClient c = connect()) {
            long[] waited = new long[3];
            for (int i = 0; i < waited.length; i++) {
                long start = System.nanoTime();
                c.send("USER alice@example.test\r\nPASS guess" + i + "\r\n");
                c.expect("+OK Send PASS");
                c.expect("-ERR [AUTH] Authentication failed");
                waited[i] = (System.nanoTime() - start) / 1_000_000;
            }
            // 100, 200, 400 ms: lower bounds only, a busy machine may add to them
            assertTrue(waited[0] >= 100 && waited[1] >= 200 && waited[2] >= 400, java.util.Arrays.toString(waited));
            c.send("USER alice@example.test\r\nPASS pass word\r\n");
            c.expect("+OK Send PASS");
            c.expectStart("+OK Maildrop has 2 messages");
        }
    }

    @Test
    void authorizationErrors() throws Exception {
        try (LineClient c = connect()) {
            c.send("STAT\r\n");
            c.expect("-ERR Command not valid in this state");
            c.send("PASS x\r\n");
            c.expect("-ERR Send USER first");
            c.send("USER alice@example.test\r\nPASS wrong\r\n");
            c.expect("+OK Send PASS");
            c.expect("-ERR [AUTH] Authentication failed");
            c.send("XTND\r\n");
            c.expect("-ERR Unknown command");
            c.send("USER " + "a".repeat(300) + "\r\n");
            c.expect("-ERR Line too long");
            c.send("QUIT\r\n");
            c.expect("+OK pop.example.test POP3 server signing off");
            assertNull(c.line());
        }
    }

    @Test
    void listingsAndRetrievalAreByteExact() throws Exception {
        try (LineClient c = loggedIn()) {
            c.send("STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nRETR 1\r\n");
            c.expect("+OK 2 " + (FIRST.length() + SECOND.length()));
            c.expect("+OK 2 messages (" + (FIRST.length() + SECOND.length()) + " octets)");
            assertEquals(List.of("1 " + FIRST.length(), "2 " + SECOND.length()), c.linesUntilDot());
            c.expect("+OK 2 " + SECOND.length());
            c.expect("+OK unique-id listing follows");
            assertEquals(List.of("1 UID-ONE", "2 UID-TWO"), c.linesUntilDot());
            c.expect("+OK 1 UID-ONE");
            c.expect("+OK " + FIRST.length() + " octets");
            // byte-stuffed on the wire: the lone dot and the leading dot are doubled
            assertEquals(List.of("Subject: one", "", "..", "..hidden", "end"), c.linesUntilDot());
            c.send("RETR 3\r\nRETR x\r\nLIST 0\r\n");
            c.expect("-ERR No such message");
            c.expect("-ERR No such message");
            c.expect("-ERR No such message");
        }
    }

    @Test
    void authPlainWithAnInitialResponseOrAfterTheChallenge() throws Exception {
        String good = Base64.getEncoder().encodeToString("\0alice@example.test\0pass word".getBytes(StandardCharsets.UTF_8));
        String wrong = Base64.getEncoder().encodeToString("\0alice@example.test\0nope".getBytes(StandardCharsets.UTF_8));
        String otherIdentity = Base64.getEncoder().encodeToString("bob@example.test\0alice@example.test\0pass word".getBytes(StandardCharsets.UTF_8));
        String controlInName = Base64.getEncoder().encodeToString("\0alice@example.test\r\nX\0pass word".getBytes(StandardCharsets.UTF_8));
        try (LineClient c = connect()) {
            c.send("AUTH\r\nAUTH CRAM-MD5\r\nAUTH PLAIN " + wrong + "\r\nAUTH PLAIN " + otherIdentity + "\r\nAUTH PLAIN " + controlInName
                    + "\r\nAUTH PLAIN !!!\r\n");
            c.expect("-ERR Syntax: AUTH mechanism [initial-response]");
            c.expect("-ERR Unsupported authentication mechanism");
            c.expect("-ERR [AUTH] Authentication failed");
            c.expect("-ERR [AUTH] Authentication failed");
            c.expect("-ERR [AUTH] Authentication failed");
            c.expect("-ERR Invalid base64 in the authentication response");
            c.send("AUTH PLAIN\r\n");
            c.expect("+ ");
            c.send("*\r\n");
            c.expect("-ERR Authentication cancelled");
            c.send("AUTH PLAIN\r\n");
            c.expect("+ ");
            c.send(good + "\r\n");
            c.expect("+OK Maildrop has 2 messages (" + (FIRST.length() + SECOND.length()) + " octets)");
            c.send("QUIT\r\n");
            c.expectStart("+OK ");
        }
        try (LineClient c = connect()) {
            c.send("AUTH PLAIN " + good + "\r\nSTAT\r\n");
            c.expectStart("+OK Maildrop has 2 messages");
            c.expectStart("+OK 2 ");
        }
    }

    @Test
    void aSecondSessionOnTheMaildropGetsInUseUntilTheFirstEnds() throws Exception {
        try (LineClient first = loggedIn(); LineClient second = connect()) {
            second.send("USER alice@example.test\r\nPASS pass word\r\n");
            second.expect("+OK Send PASS");
            second.expect("-ERR [IN-USE] Maildrop is in use by another session");
            first.send("QUIT\r\n");
            first.expectStart("+OK pop.example.test POP3 server signing off");
            second.send("USER alice@example.test\r\nPASS pass word\r\n");
            second.expect("+OK Send PASS");
            second.expectStart("+OK Maildrop has 2 messages");
            second.send("QUIT\r\n");
            second.expectStart("+OK ");
        }
        // a dropped connection frees the maildrop too
        LineClient dropped = loggedIn();
        dropped.close();
        for (int i = 0; i < 100 && !lockOwners.isEmpty(); i++) {
            Thread.sleep(50);
        }
        try (LineClient again = loggedIn()) {
            again.send("QUIT\r\n");
            again.expectStart("+OK ");
        }
    }

    @Test
    void topSendsTheHeadersAndTheFirstBodyLines() throws Exception {
        try (LineClient c = loggedIn()) {
            c.send("TOP 1 0\r\nTOP 1 2\r\nTOP 1 99\r\nTOP 2 1\r\n");
            c.expect("+OK top of message follows");
            assertEquals(List.of("Subject: one", ""), c.linesUntilDot());
            c.expect("+OK top of message follows");
            // byte-stuffed like RETR: the lone dot of the body goes out doubled
            assertEquals(List.of("Subject: one", "", "..", "..hidden"), c.linesUntilDot());
            c.expect("+OK top of message follows");
            assertEquals(List.of("Subject: one", "", "..", "..hidden", "end"), c.linesUntilDot());
            c.expect("+OK top of message follows");
            assertEquals(List.of("Subject: two", "", "x"), c.linesUntilDot());
            c.send("TOP 1\r\nTOP 1 -1\r\nTOP 3 1\r\nTOP x 1\r\n");
            c.expect("-ERR Syntax: TOP message lines");
            c.expect("-ERR Syntax: TOP message lines");
            c.expect("-ERR No such message");
            c.expect("-ERR No such message");
        }
    }

    @Test
    void deletionsHappenOnlyAtQuit() throws Exception {
        try (LineClient c = loggedIn()) {
            c.send("DELE 1\r\nDELE 1\r\nRETR 1\r\nSTAT\r\nRSET\r\nDELE 2\r\nNOOP\r\n");
            c.expect("+OK Message 1 deleted");
            c.expect("-ERR No such message");
            c.expect("-ERR No such message");
            c.expect("+OK 1 " + SECOND.length());
            c.expect("+OK Maildrop has 2 messages (" + (FIRST.length() + SECOND.length()) + " octets)");
            c.expect("+OK Message 2 deleted");
            c.expect("+OK");
            assertEquals(List.of(), deletedEntries, "nothing deleted before QUIT");
            c.send("QUIT\r\n");
            c.expect("+OK pop.example.test POP3 server signing off (1 messages left)");
            assertEquals(List.of("UID-TWO"), deletedEntries.stream().map(MessageStore.Entry::uid).toList());
        }
    }

    @Test
    void droppedConnectionDeletesNothing() throws Exception {
        try (LineClient c = loggedIn()) {
            c.send("DELE 1\r\n");
            c.expect("+OK Message 1 deleted");
        }
        Thread.sleep(200);
        assertEquals(List.of(), deletedEntries);
    }

    @Test
    void plaintextLoginRefusedWhenNotAllowed() throws Exception {
        stopServer();
        plaintextAllowed = false;
        startServer();
        try (LineClient c = connect()) {
            c.send("CAPA\r\nUSER alice@example.test\r\n");
            c.expect("+OK Capability list follows");
            assertEquals("TOP", c.linesUntilDot().get(0), "no USER offered");
            c.expect("-ERR [AUTH] Plaintext authentication is not allowed on this connection");
            c.send("AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwYXNzIHdvcmQ=\r\n");
            c.expect("-ERR [AUTH] Authentication needs TLS on this connection (STLS)");
        }
    }

    @Test
    void idleSessionIsLoggedOutWithoutDeleting() throws Exception {
        stopServer();
        idleMillis = 300;
        startServer();
        try (LineClient c = loggedIn()) {
            c.send("DELE 1\r\n");
            c.expect("+OK Message 1 deleted");
            timers.advance(300);
            c.expect("-ERR Autologout: idle too long");
            assertNull(c.line());
        }
        assertEquals(List.of(), deletedEntries);
    }

    /**
     * After a DELE, {@code loseLock} runs and, {@code renewals} renewals later, {@code commands}
     * get only {@code answer}: the session ends, nothing deleted.
     */
    private void sessionEndsAfterTheLockIsLost(Runnable loseLock, int renewals, String commands, String answer) throws Exception {
        try (LineClient c = loggedIn()) {
            c.send("DELE 1\r\n");
            c.expect("+OK Message 1 deleted");
            loseLock.run();
            Thread.sleep(renewals * lockRenewalMillis);
            c.send(commands);
            c.expect(answer);
            assertNull(c.line(), "the session ended there");
        }
        assertEquals(List.of(), deletedEntries);
    }

    /** A stall outlived the lease and another session took the maildrop: the next command ends this one, deleting nothing. */
    @Test
    void aSessionWhoseLockWasTakenOverEndsWithInUseAndDeletesNothing() throws Exception {
        // QUIT is never read: STAT already ended the session
        sessionEndsAfterTheLockIsLost(() -> lockOwners.put(7L, "another-replica/another-session"), 10, "STAT\r\nQUIT\r\n",
                "-ERR [IN-USE] Maildrop taken over by another session, nothing deleted");
    }

    @Test
    void aSessionWhoseLockCouldNotBeRenewedEndsWithSysTempAndDeletesNothing() throws Exception {
        sessionEndsAfterTheLockIsLost(() -> storeDown = true, 10, "QUIT\r\n", "-ERR [SYS/TEMP] Maildrop lock could not be renewed, nothing deleted");
    }

    /** QUIT right after the takeover, before any renewal noticed: the UPDATE state's own check refuses. */
    @Test
    void quitAfterATakeoverDeletesNothing() throws Exception {
        stopServer();
        lockRenewalMillis = 60_000;
        startServer();
        sessionEndsAfterTheLockIsLost(() -> lockOwners.put(7L, "another-replica/another-session"), 0, "QUIT\r\n",
                "-ERR [IN-USE] Maildrop taken over by another session, nothing deleted");
    }

    /**
     * A shutdown (Listeners, as Pop3Server's) ends each session with [SYS/TEMP]: an idle one
     * at once, one in the middle of a RETR right after the message. Neither enters the UPDATE
     * state: the message marked with DELE stays (RFC 1939 section 6), and the lock is given up.
     */
    @Test
    void shutdownSaysGoodbyeToIdleSessionsAtOnceLetsARetrFinishAndDeletesNothing() throws Exception {
        Listeners listeners = new Listeners(server.vertx(), "POP3", "127.0.0.1", Optional.empty(), new ConnectionLimits(10, 10),
                new Listeners.Lines("-ERR too many\r\n", Pop3Responses.SHUTTING_DOWN.status() + "\r\n"), () -> { });
        int port = listeners.bind("POP3", 0, false, this::connection);
        bodiesHeld = Promise.promise();
        try (LineClient idle = greeted(new LineClient(port)); LineClient busy = greeted(new LineClient(port))) {
            busy.send("USER alice@example.test\r\nPASS pass word\r\nDELE 2\r\nRETR 1\r\n");
            busy.expect("+OK Send PASS");
            busy.expectStart("+OK Maildrop has 2 messages");
            busy.expect("+OK Message 2 deleted");
            assertTrue(bodiesWaiting.await(5, TimeUnit.SECONDS), "RETR in progress");
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> listeners.stop(Duration.ofSeconds(30)));

            idle.expect("-ERR [SYS/TEMP] Server shutting down, nothing deleted");
            assertNull(idle.line());
            bodiesHeld.complete();
            busy.expect("+OK " + FIRST.length() + " octets");
            assertEquals(List.of("Subject: one", "", "..", "..hidden", "end"), busy.linesUntilDot());
            busy.expect("-ERR [SYS/TEMP] Server shutting down, nothing deleted");
            assertNull(busy.line());
            stopped.get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), deletedEntries);
        for (int i = 0; i < 100 && !lockOwners.isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertEquals(Map.of(), lockOwners, "the maildrop is free again");
    }
}
