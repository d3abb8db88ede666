package dev.mailgateway.common.codec;

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


    @Test
    void linesFedAnOctetAtATimeComeOutAsWhenFedWhole() {
        String input = "EHLO a\r\nNOOP\n" + "z".repeat(70) + "\r\nRSET\r\n";
        for (int step : new int[] {1, 3, input.length()}) {
            LineDecoder fresh = new LineDecoder(32);
            StringBuilder out = new StringBuilder();
            for (int at = 0; at < input.length(); at += step) {
                fresh.feed(Buffer.buffer(input.substring(at, Math.min(input.length(), at + step))));
                for (LineDecoder.Line line = fresh.nextLine(); line != null; line = fresh.nextLine()) {
                    out.append(line.tooLong() ? "<too long>" : line.text()).append('|');
                }
            }
            assertEquals("EHLO a|NOOP|<too long>|RSET|", out.toString(), "fed " + step + " at a time");
        }
    }
}
