package dev.mailgateway.common.line;

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
}
