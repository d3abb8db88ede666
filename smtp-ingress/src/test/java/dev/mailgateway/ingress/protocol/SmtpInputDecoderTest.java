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
