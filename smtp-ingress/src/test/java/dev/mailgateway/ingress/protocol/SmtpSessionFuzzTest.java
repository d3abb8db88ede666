package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.codec.LineDecoder;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.common.testing.HostileInput;

/**
 * A property of the decoder and the session together: whatever bytes arrive,
 * cut wherever, every reply is a well-formed reply line and nothing throws.
 * Inputs are generated from seeds (2,000 of them, each a reproducible case)
 * out of protocol fragments and hostile bytes: CR and LF alone, NUL, non-ASCII,
 * over-long lines, dots where data ends.
 */
class SmtpSessionFuzzTest {

    private static final Pattern REPLY_LINE = Pattern.compile("[2-5][0-9][0-9][ -][\\x20-\\x7e\\u0080-\\uffff]*");
    private static final String[] FRAGMENTS = {
        "EHLO client.example", "HELO x", "MAIL FROM:<bob@example.org>", "MAIL FROM:<>", "MAIL FROM:", "RCPT TO:<alice@example.test>",
        "RCPT TO:<x@remote.example>", "RCPT TO:<Postmaster>", "DATA", "BDAT 10", "BDAT 3 LAST", "BDAT 0 LAST", "BDAT", ".", "..", "RSET", "NOOP", "QUIT", "VRFY x", "HELP",
        "AUTH PLAIN", "AUTH LOGIN", "AUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABwdw==", "STARTTLS", "*", "=", " SIZE=", " SIZE=99999999999999999999",
        " BODY=8BITMIME", " BODY=", " RET=FULL", " ENVID=+", " NOTIFY=SUCCESS,NEVER", " ORCPT=rfc822;a", " SMTPUTF8", " SMTPUTF8=1", "<", ">",
        "@", ":", "\"", "\\", " ", "\t", "\r\n", "\r\n", "\r\n", "\n", "\r", "\0", "\u00e9", "\u00ff", "\ud83d\udce8", "Received: x", "%", "!",
        " ENVID=a+0D+0Ab", " ORCPT=rfc822;a+0A", " SIZE=\u0661", " X-Y=1", "\u0085", "AUTH PLAIN AGENYgBwdw==", "AUTH LOGIN YQ1i",
    };

    @Test
    void everyInputGetsWellFormedRepliesAndNothingThrows() {
        HostileInput.forEachSeed(2_000, SmtpSessionFuzzTest::run);
    }

    private static void run(Random random) {
        feed(HostileInput.generate(random, FRAGMENTS, 80, 14_000), random);
    }

    /** Feeds the bytes to a session in pieces; {@code random} picks the listener, the piece sizes and the collaborators' answers. */
    static void feed(byte[] bytes, Random random) {
        CountingBudget budget = new CountingBudget(random.nextBoolean() ? 1 << 20 : 0);
        SmtpSession session = new SmtpSession(
                new SmtpSession.Settings("mx.example.test", "postmaster@example.test", 1_000, 5, true, false, 10, 3, 80),
                new SmtpSession.Client("192.0.2.1", Listener.values()[random.nextInt(3)], random.nextBoolean()),
                (address, authenticated, size) -> Future.succeededFuture(RecipientCheck.Verdict.values()[random.nextInt(4)]),
                (client, user, password) -> Future.succeededFuture(random.nextBoolean() ? Optional.of("alice@example.test") : Optional.empty()),
                (sender, message) -> Future.succeededFuture(random.nextBoolean() ? MessageChecks.Verdict.UNCHECKED
                        : MessageChecks.Verdict.refused(SmtpReply.of(550, "5.7.1", "refused by the checks"))),
                (envelope, message) -> random.nextBoolean() ? Future.succeededFuture() : Future.failedFuture("down"),
                budget, Clock.systemUTC());
        SmtpInputDecoder decoder = new SmtpInputDecoder(SmtpSession.MAX_AUTH_LINE);
        check(session.greeting());
        int offset = 0;
        while (offset < bytes.length && session.state() != SmtpSession.State.CLOSED) {
            int length = Math.min(bytes.length - offset, 1 + random.nextInt(64));
            decoder.feed(Buffer.buffer().appendBytes(bytes, offset, length));
            offset += length;
            drain(session, decoder);
        }
        session.close();
        assertEquals(0, budget.taken(), "every octet taken from the budget is given back");
    }

    /** What SmtpConnection does, synchronously: every answer here is known at once. */
    private static void drain(SmtpSession session, SmtpInputDecoder decoder) {
        while (session.state() != SmtpSession.State.CLOSED) {
            Future<SmtpReply> reply;
            if (session.state() == SmtpSession.State.BDAT) {
                Buffer chunk = decoder.nextChunk(session.chunkRemaining());
                if (chunk == null) {
                    return;
                }
                reply = session.chunk(chunk);
            } else if (session.state() == SmtpSession.State.DATA) {
                SmtpInputDecoder.DataPiece piece = decoder.nextDataPiece();
                if (piece == null) {
                    return;
                }
                reply = session.data(piece);
            } else {
                LineDecoder.Line line = decoder.nextLine();
                if (line == null) {
                    return;
                }
                reply = session.command(line);
            }
            assertTrue(reply.succeeded(), "a reply, not a failure");
            if (reply.result() == null) {
                // message data, or a BDAT command: the reply follows the message or the chunk
                assertTrue(session.receivingMessage(), "no reply only while a message is received");
                continue;
            }
            check(reply.result());
            if (session.state() == SmtpSession.State.DATA) {
                decoder.startData();
            }
            if (session.takeTlsRequest()) {
                decoder.discardBuffered();
            }
        }
    }

    private static void check(SmtpReply reply) {
        String wire = reply.wire();
        assertTrue(wire.endsWith("\r\n"), wire);
        for (String line : wire.substring(0, wire.length() - 2).split("\r\n", -1)) {
            assertTrue(REPLY_LINE.matcher(line).matches(), "malformed reply line: " + line);
            assertTrue(line.length() <= 512, "reply line over 512 octets (RFC 5321 section 4.5.3.1.5)");
        }
    }
}
