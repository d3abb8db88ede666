package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class SmtpInputDecoderTest {

    private final SmtpInputDecoder decoder = new SmtpInputDecoder(32);

    private void feed(String s) {
        decoder.feed(Buffer.buffer(s));
    }

    @Test
    void commandLinesSplitAcrossChunks() {
        feed("EHLO cli");
        assertNull(decoder.nextCommandLine());
        feed("ent.example\r");
        assertNull(decoder.nextCommandLine());
        feed("\nNOOP\r\nQU");
        assertEquals("EHLO client.example", decoder.nextCommandLine().text());
        assertEquals("NOOP", decoder.nextCommandLine().text());
        assertNull(decoder.nextCommandLine());
        feed("IT\r\n");
        assertEquals("QUIT", decoder.nextCommandLine().text());
    }

    @Test
    void bareLfEndsACommandLine() {
        feed("NOOP\nRSET\r\n");
        assertEquals("NOOP", decoder.nextCommandLine().text());
        assertEquals("RSET", decoder.nextCommandLine().text());
    }

    @Test
    void overLongCommandLineIsDroppedAndReportedOnce() {
        feed("MAIL FROM:<" + "x".repeat(40));
        assertNull(decoder.nextCommandLine());
        assertEquals(0, decoder.buffered(), "the over-long line is not kept");
        feed("y".repeat(40) + "@example.test>\r\nNOOP\r\n");
        SmtpInputDecoder.CommandLine tooLong = decoder.nextCommandLine();
        assertTrue(tooLong.tooLong());
        assertEquals("NOOP", decoder.nextCommandLine().text());
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() {
        String line = "x".repeat(30);
        feed(line + "\r\n");
        assertEquals(line, decoder.nextCommandLine().text());
        feed(line + "x\r\n");
        assertTrue(decoder.nextCommandLine().tooLong());
    }

    @Test
    void dataEndsOnlyOnCrLfDotCrLf() {
        decoder.startData();
        feed("line one\r\n.\r");
        assertEquals("line one", decoder.nextDataPiece().bytes().toString());
        assertNull(decoder.nextDataPiece(), "'.\\r' waits for its LF");
        feed("\n");
        assertTrue(decoder.nextDataPiece().isEndOfData());
    }

    @Test
    void bareLfDotBareLfDoesNotEndData() {
        decoder.startData();
        feed("a\n.\nMAIL FROM:<x@y>\r\n.\r\n");
        SmtpInputDecoder.DataPiece piece = decoder.nextDataPiece();
        assertEquals("a\n.\nMAIL FROM:<x@y>", piece.bytes().toString());
        assertFalse(piece.isEndOfData());
        assertTrue(decoder.nextDataPiece().isEndOfData());
    }

    @Test
    void endlessDataLineComesOutInBoundedPieces() {
        decoder.startData();
        feed("z".repeat(SmtpInputDecoder.MAX_DATA_PIECE + 10));
        SmtpInputDecoder.DataPiece first = decoder.nextDataPiece();
        assertEquals(SmtpInputDecoder.MAX_DATA_PIECE, first.bytes().length());
        assertTrue(first.startsLine());
        assertFalse(first.endsLine());
        feed("\r\n");
        SmtpInputDecoder.DataPiece rest = decoder.nextDataPiece();
        assertFalse(rest.startsLine());
        assertTrue(rest.endsLine());
        assertEquals(10, rest.bytes().length());
    }
}
