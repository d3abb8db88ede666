package dev.mailgateway.common.auth.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

class CanonicalizationTest {

    /** RFC 6376 section 3.4.5, the example message. */
    private static final String EXAMPLE = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

    /** A "digest" that returns what it was fed: the canonical octets themselves. */
    static final class Recorder extends MessageDigest {
        private final ByteArrayOutputStream octets = new ByteArrayOutputStream();

        Recorder() {
            super("recorder");
        }

        @Override
        protected void engineUpdate(byte input) {
            octets.write(input);
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int len) {
            octets.write(input, offset, len);
        }

        @Override
        protected byte[] engineDigest() {
            return octets.toByteArray();
        }

        @Override
        protected void engineReset() {
            octets.reset();
        }
    }

    static String canonicalBody(Canonicalization c, String body, long limit, int... cuts) {
        byte[] octets = body.getBytes(StandardCharsets.ISO_8859_1);
        BodyHasher hasher = c.bodyHasher(new Recorder(), limit);
        int from = 0;
        for (int cut : cuts) {
            hasher.update(octets, from, cut - from);
            from = cut;
        }
        hasher.update(octets, from, octets.length - from);
        return new String(hasher.finish().hash(), StandardCharsets.ISO_8859_1);
    }

    private static String canonicalHeaders(Canonicalization c, String message) {
        MessageSplitter splitter = new MessageSplitter();
        splitter.feed(Buffer.buffer(message.getBytes(StandardCharsets.ISO_8859_1)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (HeaderField field : splitter.headers().fields()) {
            c.header(field.octets(), out);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String bodyOf(String message) {
        MessageSplitter splitter = new MessageSplitter();
        return splitter.feed(Buffer.buffer(message)).toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void rfc6376Example_relaxed() {
        assertEquals("a:X\r\nb:Y Z\r\n", canonicalHeaders(Canonicalization.RELAXED, EXAMPLE));
        assertEquals(" C\r\nD E\r\n", canonicalBody(Canonicalization.RELAXED, bodyOf(EXAMPLE), -1));
    }

    @Test
    void rfc6376Example_simple() {
        assertEquals("A: X\r\nB : Y\t\r\n\tZ  \r\n", canonicalHeaders(Canonicalization.SIMPLE, EXAMPLE));
        assertEquals(" C \r\nD \t E\r\n", canonicalBody(Canonicalization.SIMPLE, bodyOf(EXAMPLE), -1));
    }

    @Test
    void emptyBody_simpleIsOneCrLf_relaxedIsNothing() {
        for (String empty : List.of("", "\r\n", "\r\n\r\n\r\n")) {
            assertEquals("\r\n", canonicalBody(Canonicalization.SIMPLE, empty, -1));
            assertEquals("", canonicalBody(Canonicalization.RELAXED, empty, -1));
        }
        assertEquals("", canonicalBody(Canonicalization.RELAXED, " \t\r\n\t\r\n", -1), "white space lines are empty lines");
        assertEquals(" \t\r\n", canonicalBody(Canonicalization.SIMPLE, " \t\r\n\t\r\n".substring(0, 4), -1));
        // the well-known hashes: SHA-256 of CRLF and of nothing
        assertEquals("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", bodyHash(Canonicalization.SIMPLE, ""));
        assertEquals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", bodyHash(Canonicalization.RELAXED, ""));
    }

    private static String bodyHash(Canonicalization c, String body) {
        BodyHasher hasher = c.bodyHasher(DkimAlgorithm.sha256(), -1);
        hasher.update(Buffer.buffer(body));
        return Base64.getEncoder().encodeToString(hasher.finish().hash());
    }

    @Test
    void aLastLineWithoutCrLfGetsOne() {
        assertEquals("x\r\n", canonicalBody(Canonicalization.SIMPLE, "x", -1));
        // white space ending an unended last line is white space at the end of a line (section 3.4.4), as
        // Mail::DKIM reads it; dkimpy keeps one space there. SMTP never delivers such a body.
        assertEquals("x\r\n", canonicalBody(Canonicalization.RELAXED, "x \t", -1));
    }

    @Test
    void bareCrAndLfAreText() {
        assertEquals("a\rb\nc\r\n", canonicalBody(Canonicalization.SIMPLE, "a\rb\nc\r\n", -1));
        assertEquals("a \rb\r\r\n", canonicalBody(Canonicalization.RELAXED, "a  \rb\r", -1));
        assertEquals("a\r\r\n", canonicalBody(Canonicalization.SIMPLE, "a\r\r\n", -1));
    }

    @Test
    void eightBitOctetsPassUnchanged() {
        String latin = "caf\u00e9 \u00ff\u0080\r\n";
        assertEquals(latin, canonicalBody(Canonicalization.RELAXED, latin, -1));
        assertEquals("s:Gr\u00fc\u00dfe \u00e9\r\n", canonicalHeaders(Canonicalization.RELAXED, "S:  Gr\u00fc\u00dfe \t \u00e9 \r\n\r\n"));
    }

    @Test
    void theLimitHashesOnlyTheFirstOctetsAndTellsWhetherTheBodyReachedIt() {
        BodyHasher hasher = Canonicalization.RELAXED.bodyHasher(new Recorder(), 5);
        hasher.update(Buffer.buffer("abc  def\r\n\r\n"));
        BodyDigest digest = hasher.finish();
        assertArrayEquals("abc d".getBytes(StandardCharsets.ISO_8859_1), digest.hash());
        assertTrue(digest.coversLimit());
        // "abc\r\n" is 5 canonical octets: the final CRLF counts; one more octet of l= is not there
        assertTrue(limited(Canonicalization.RELAXED, "abc", 5).coversLimit());
        assertFalse(limited(Canonicalization.RELAXED, "abc", 6).coversLimit());
        assertTrue(limited(Canonicalization.SIMPLE, "", 0).coversLimit());
        assertTrue(Canonicalization.SIMPLE.bodyHasher(new Recorder(), -1).finish().coversLimit(), "no l=, nothing to fall short of");
    }

    private static BodyDigest limited(Canonicalization c, String body, long limit) {
        BodyHasher hasher = c.bodyHasher(new Recorder(), limit);
        hasher.update(Buffer.buffer(body));
        return hasher.finish();
    }

    /**
     * The part of a body past l= is the sender's to make as long as it likes: once l= canonical octets
     * are hashed, no octet more is taken, whatever the body holds after them, and the hash is that of
     * those octets alone.
     */
    @Test
    void pastTheLimitNoOctetIsTaken() {
        // canonical as it stands under both canonicalizations, so octets taken and hashed can be compared
        String line = "Some text of a line, then its end.\r\n";
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1_000_000; i++) {
            text.append(line).append(i % 7 == 0 ? "\r\n\r\n" : "");
        }
        Buffer body = Buffer.buffer(text.toString());
        for (Canonicalization c : Canonicalization.values()) {
            for (long limit : new long[] {0, 1, 35, 36, 37, 5000, 65_536}) {
                BodyHasher hasher = c.bodyHasher(new Recorder(), limit);
                int taken = hasher.update(body);
                // held line ends are written only when the octet after them comes: a few more are read than hashed
                assertTrue(taken <= limit + line.length(), c + " l=" + limit + " took " + taken + " of " + body.length() + " octets");
                assertEquals(0, hasher.update(body), "nothing more is taken once l= is reached");
                BodyDigest digest = hasher.finish();
                assertTrue(digest.coversLimit(), c + " l=" + limit);
                assertEquals(text.substring(0, (int) limit), new String(digest.hash(), StandardCharsets.ISO_8859_1), c + " l=" + limit);
            }
            assertEquals(body.length(), c.bodyHasher(new Recorder(), -1).update(body), "without l= the whole body is taken");
        }
    }

    @Test
    void aDirectBufferIsReadInPlaceAsAHeapOneIs() {
        byte[] octets = "a \t b\r\n\r\nc\r\n".getBytes(StandardCharsets.ISO_8859_1);
        for (Canonicalization c : Canonicalization.values()) {
            BodyHasher hasher = c.bodyHasher(new Recorder(), -1);
            hasher.update(Buffer.buffer(Unpooled.directBuffer().writeBytes(octets)));
            assertEquals(canonicalBody(c, new String(octets, StandardCharsets.ISO_8859_1), -1),
                    new String(hasher.finish().hash(), StandardCharsets.ISO_8859_1), c.toString());
        }
    }

    /** Bodies whose rules span octets: CRLF runs, CR before a chunk end, white space before line ends. */
    private static final List<String> TRICKY = List.of(
            "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n\r\n",
            "a \t \r\n \r\n\t\r\n\r\nb\r\r\n\r\n \r\n",
            "\r\n\r\nx\r\n\r\n",
            "only text, no line end   ",
            "\r\r\n\n\r \r\n\u00e9\t\r\n  \r\n\r",
            "");

    @Test
    void everySplitPointHashesAsTheWholeBody() {
        for (Canonicalization c : Canonicalization.values()) {
            for (String body : TRICKY) {
                String whole = canonicalBody(c, body, -1);
                for (int cut = 0; cut <= body.length(); cut++) {
                    assertEquals(whole, canonicalBody(c, body, -1, cut), c + " cut at " + cut + " of " + body);
                    for (int second = cut; second <= body.length(); second++) {
                        assertEquals(whole, canonicalBody(c, body, -1, cut, second), c + " cuts " + cut + "," + second);
                    }
                }
                assertEquals(whole, canonicalBody(c, body, -1, octetByOctet(body.length())), c + " octet by octet");
                assertEquals(reference(c, body), whole, c + " against the rules written as text edits: " + body);
            }
        }
    }

    private static int[] octetByOctet(int length) {
        int[] cuts = new int[Math.max(0, length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }

    /** The canonicalizations as RFC 6376 sections 3.4.3 and 3.4.4 word them, done on the whole text (dkimpy's way). */
    private static String reference(Canonicalization c, String body) {
        boolean relaxed = c == Canonicalization.RELAXED;
        String text = relaxed ? body.replaceAll("[ \t]+\r\n", "\r\n").replaceAll("[ \t]+", " ") : body;
        if (!text.endsWith("\r\n") && !(relaxed && text.isEmpty())) {
            text = (relaxed ? text.replaceAll(" $", "") : text) + "\r\n";
        }
        while (text.endsWith("\r\n\r\n")) {
            text = text.substring(0, text.length() - 2);
        }
        return relaxed && text.equals("\r\n") ? "" : text;
    }
}
