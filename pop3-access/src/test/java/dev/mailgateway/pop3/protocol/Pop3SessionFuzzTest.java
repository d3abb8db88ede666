package dev.mailgateway.pop3.protocol;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.codec.LineDecoder;
import dev.mailgateway.common.testing.HostileInput;

import dev.mailgateway.common.store.MessageSource;

/**
 * A property of the POP3 command path: whatever bytes arrive, cut wherever,
 * every response starts with "+OK" or "-ERR" (or is AUTH's "+ "), generated lines never need
 * stuffing, and nothing throws. 2,000 seeded inputs, each reproducible.
 */
class Pop3SessionFuzzTest {

    private static final String[] FRAGMENTS = {
        "USER alice@example.test", "USER", "PASS secret", "PASS", "STAT", "LIST", "LIST 1", "LIST 0", "LIST -1", "LIST 99999999999",
        "UIDL", "UIDL 2", "RETR 1", "RETR", "DELE 1", "DELE 2", "RSET", "NOOP", "QUIT", "CAPA", "APOP x y", "APOP alice@example.test 0123456789abcdef0123456789ABCDEF", "TOP 1 0", "AUTH PLAIN",
        "STLS", " ", "\t", "\r\n", "\r\n", "\r\n", "\n", "\r", "\0", "\u00e9", ".", "1", "2",
    };

    private static final Logins LOGINS = new Logins() {
        @Override
        public Future<Optional<Long>> login(String user, String password) {
            return Future.succeededFuture(password.equals("secret") ? Optional.of(1L) : Optional.empty());
        }

        @Override
        public Future<Optional<ApopAccount>> apopAccount(String user) {
            return Future.succeededFuture(user.equals("alice@example.test") ? Optional.of(new ApopAccount(1L, "secret")) : Optional.empty());
        }
    };

    private static final MaildropLease LEASE = new MaildropLease() {
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
            // each session is alone with its maildrop here; the lock has tests of its own
            return Future.succeededFuture(true);
        }

        @Override
        public Future<Boolean> renew(long accountId, String owner) {
            return Future.succeededFuture(true);
        }

        @Override
        public Future<Void> unlock(long accountId, String owner) {
            return Future.succeededFuture();
        }
    };

    private static final MessageStore STORE = new MessageStore() {
        @Override
        public Future<List<Entry>> list(long accountId) {
            return Future.succeededFuture(List.of(new Entry(1, "A", 3, 1), new Entry(2, "B", 4, 2)));
        }

        @Override
        public MessageSource content(Entry entry) {
            return (offset, length) -> Future.succeededFuture(Buffer.buffer(".\r\n"));
        }

        @Override
        public Future<java.util.Map<Long, Buffer>> bodies(List<Entry> entries) {
            java.util.Map<Long, Buffer> bodies = new java.util.HashMap<>();
            entries.forEach(entry -> bodies.put(entry.bodyId(), Buffer.buffer(".\r\n")));
            return Future.succeededFuture(bodies);
        }

        @Override
        public Future<Boolean> delete(long accountId, String owner, List<Entry> entries) {
            return Future.succeededFuture(true);
        }
    };

    @Test
    void everyInputGetsAStatusLineAndNothingThrows() {
        HostileInput.forEachSeed(2_000, Pop3SessionFuzzTest::run);
    }

    private static void run(Random random) {
        byte[] bytes = HostileInput.generate(random, FRAGMENTS, 60, 600);
        feed(bytes, new Pop3Session.Offer(random.nextBoolean(), random.nextBoolean(), random.nextBoolean()), () -> 1 + random.nextInt(32));
    }

    /** Feeds the bytes to a session in pieces of the given sizes and checks every response. */
    static void feed(byte[] bytes, Pop3Session.Offer offer, java.util.function.IntSupplier pieceSizes) {
        Pop3Session session = new Pop3Session("pop.example.test", offer, new Pop3Session.Backends(LOGINS, LEASE, STORE), new ReadAhead.Budget(1 << 20));
        LineDecoder decoder = new LineDecoder(Pop3Session.MAX_COMMAND_LINE);
        int offset = 0;
        while (offset < bytes.length && session.state() != Pop3Session.State.CLOSED) {
            int length = Math.min(bytes.length - offset, pieceSizes.getAsInt());
            decoder.feed(Buffer.buffer().appendBytes(bytes, offset, length));
            offset += length;
            for (LineDecoder.Line line = decoder.nextLine(); line != null && session.state() != Pop3Session.State.CLOSED;
                    line = decoder.nextLine()) {
                Future<Pop3Response> response = session.command(line);
                assertTrue(response.succeeded(), "a response, not a failure");
                check(response.result());
            }
        }
    }

    private static void check(Pop3Response response) {
        String status = response.status();
        // "+ " is the AUTH continuation (RFC 5034 section 4)
        assertTrue(status.equals("+OK") || status.startsWith("+OK ") || status.startsWith("-ERR ") || status.equals("+ "), status);
        assertTrue(status.indexOf('\r') < 0 && status.indexOf('\n') < 0, "one line: " + status);
        // RFC 2449 section 4: a response line is at most 512 octets, CRLF included
        assertTrue(status.getBytes(StandardCharsets.UTF_8).length <= 510, status);
        if (response instanceof Pop3Response.Lines lines) {
            lines.lines().forEach(line -> assertTrue(!line.startsWith(".") && line.indexOf('\n') < 0, line));
        }
    }
}
