package dev.mailgateway.common.line;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class LineDecoderTest {

    private final LineDecoder decoder = new LineDecoder(32);

    private void feed(String s) {
        decoder.feed(Buffer.buffer(s));
    }

    @Test
    void commandLinesSplitAcrossChunks() {
        feed("EHLO cli");
        assertNull(decoder.nextLine());
        feed("ent.example\r");
        assertNull(decoder.nextLine());
        feed("\nNOOP\r\nQU");
        assertEquals("EHLO client.example", decoder.nextLine().text());
        assertEquals("NOOP", decoder.nextLine().text());
        assertNull(decoder.nextLine());
        feed("IT\r\n");
        assertEquals("QUIT", decoder.nextLine().text());
    }

    @Test
    void bareLfEndsACommandLine() {
        feed("NOOP\nRSET\r\n");
        assertEquals("NOOP", decoder.nextLine().text());
        assertEquals("RSET", decoder.nextLine().text());
    }

    @Test
    void overLongCommandLineIsDroppedAndReportedOnce() {
        feed("MAIL FROM:<" + "x".repeat(40));
        assertNull(decoder.nextLine());
        assertEquals(0, decoder.buffered(), "the over-long line is not kept");
        feed("y".repeat(40) + "@example.test>\r\nNOOP\r\n");
        LineDecoder.Line tooLong = decoder.nextLine();
        assertTrue(tooLong.tooLong());
        assertEquals("NOOP", decoder.nextLine().text());
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() {
        String line = "x".repeat(30);
        feed(line + "\r\n");
        assertEquals(line, decoder.nextLine().text());
        feed(line + "x\r\n");
        assertTrue(decoder.nextLine().tooLong());
    }

}
