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

    /** What the decoder hands out for {@code input} fed {@code step} octets at a time, pieces separated by '|' ("$" where a line ended). */
    private static String piecesOf(String input, int step) {
        SmtpInputDecoder fresh = new SmtpInputDecoder(32);
        fresh.startData();
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < input.length(); at += step) {
            fresh.feed(Buffer.buffer(input.substring(at, Math.min(input.length(), at + step))));
            for (SmtpInputDecoder.DataPiece piece = fresh.nextDataPiece(); piece != null; piece = fresh.nextDataPiece()) {
                out.append(piece.bytes()).append(piece.endsLine() ? "$" : "").append('|');
            }
        }
        return out.toString();
    }

    @Test
    void dataFedAnOctetAtATimeComesOutAsWhenFedWhole() {
        // CR and LF apart, a CR before the cut of an endless line, a bare CR, the end
        String input = "one\r\ntwo\rthree\r\n" + "y".repeat(SmtpInputDecoder.MAX_DATA_PIECE - 1) + "\r\nafter\r\n.\r\n";
        String whole = piecesOf(input, input.length());
        assertEquals(whole, piecesOf(input, 1));
        assertEquals(whole, piecesOf(input, 7));
        assertTrue(whole.startsWith("one$|two\rthree$|"), whole);
        assertTrue(whole.endsWith("after$|.$|"), whole);
    }
}
