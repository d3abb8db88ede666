package dev.mailgateway.common.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class DotStufferTest {

    private static String stuffWhole(String... chunks) {
        DotStuffer stuffer = new DotStuffer();
        StringBuilder out = new StringBuilder();
        for (String chunk : chunks) {
            out.append(stuffer.stuff(Buffer.buffer(chunk)));
        }
        return out.append(stuffer.terminator()).toString();
    }

    @Test
    void doublesLeadingDotsAndTerminates() {
        assertEquals("..a\r\nb\r\n..\r\n...x\r\n.\r\n", stuffWhole(".a\r\nb\r\n.\r\n..x\r\n"));
    }

    @Test
    void chunkBoundaryBetweenLfAndDot() {
        assertEquals("a\r\n..b\r\n.\r\n", stuffWhole("a\r", "\n", ".b\r\n"));
        assertEquals("a\r\n..\r\n.\r\n", stuffWhole("a\r\n", ".", "\r\n"));
    }

    @Test
    void dotAfterBareLfIsStuffedToo() {
        assertEquals("a\n..\r\n.\r\n", stuffWhole("a\n.\r\n"));
    }

    @Test
    void contentWithoutFinalCrLfGetsOneBeforeTheTerminator() {
        assertEquals("a\r\n.\r\n", stuffWhole("a"));
        assertEquals(".\r\n", stuffWhole());
    }

    @Test
    void theChunkIsLeftAsItWasAndTheResultCanBeSentTwice() {
        Buffer chunk = Buffer.buffer("a\r\n.b\r\n");
        DotStuffer stuffer = new DotStuffer();
        Buffer whole = DotStuffer.joined(Buffer.buffer("+OK\r\n"), stuffer.stuff(chunk), stuffer.terminator());
        assertEquals("+OK\r\na\r\n..b\r\n.\r\n", whole.toString());
        assertEquals("+OK\r\na\r\n..b\r\n.\r\n", whole.toString(), "reading it does not consume it");
        assertEquals("a\r\n.b\r\n", chunk.toString());
    }

    /** The rule itself, one octet at a time: the reference the fast search must agree with. */
    private static String stuffedByTheRule(String content) {
        StringBuilder out = new StringBuilder();
        char previous = '\n';
        for (char c : content.toCharArray()) {
            if (c == '.' && previous == '\n') {
                out.append('.');
            }
            out.append(c);
            previous = c;
        }
        return out.toString();
    }

    @Test
    void agreesWithTheRuleOnRandomContentCutAnywhere() {
        java.util.Random random = new java.util.Random(42);
        String[] pieces = {"a", "b", ".", "\r", "\n", "\r\n", "\r\n.", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
        for (int round = 0; round < 2_000; round++) {
            StringBuilder content = new StringBuilder();
            int parts = random.nextInt(60);
            for (int i = 0; i < parts; i++) {
                content.append(pieces[random.nextInt(pieces.length)]);
            }
            // cut into chunks of random sizes; some chunks are slices at an offset, as read-ahead hands them out
            DotStuffer stuffer = new DotStuffer();
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < content.length()) {
                int length = Math.min(content.length() - at, 1 + random.nextInt(40));
                Buffer whole = Buffer.buffer("##" + content.substring(at, at + length) + "##");
                out.append(stuffer.stuff(whole.slice(2, 2 + length)));
                at += length;
            }
            assertEquals(stuffedByTheRule(content.toString()), out.toString(), "round " + round);
        }
    }
}
