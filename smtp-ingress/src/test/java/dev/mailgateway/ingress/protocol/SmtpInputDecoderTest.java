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

    /**
     * The data the decoder hands out for {@code input} fed {@code step} octets at a time, dot-unstuffed as the
     * session does, line ends as "$\n"; checks that a piece starting with a dot is one line.
     */
    private static String dataOf(String input, int step) {
        SmtpInputDecoder fresh = new SmtpInputDecoder(32);
        fresh.startData();
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < input.length(); at += step) {
            fresh.feed(Buffer.buffer(input.substring(at, Math.min(input.length(), at + step))));
            for (SmtpInputDecoder.DataPiece piece = fresh.nextDataPiece(); piece != null; piece = fresh.nextDataPiece()) {
                String bytes = piece.bytes().toString();
                if (piece.startsLine() && bytes.startsWith(".")) {
                    assertFalse(bytes.contains("\r\n"), "a dot line is a piece of its own: " + bytes);
                    bytes = piece.isEndOfData() ? "<end>" : bytes.substring(1);
                }
                out.append(bytes.replace("\r\n", "$\n")).append(piece.endsLine() ? "$\n" : "");
            }
        }
        return out.toString();
    }

    @Test
    void onlyACrFollowedByAnLfEndsADataLine() {
        decoder.startData();
        feed("a\r\rb\r\r\r\nc\r\n\r");
        SmtpInputDecoder.DataPiece lines = decoder.nextDataPiece();
        assertEquals("a\r\rb\r\r\r\nc", lines.bytes().toString());
        assertTrue(lines.endsLine());
        assertNull(decoder.nextDataPiece(), "a lone CR at the end waits for what follows it");
    }

    @Test
    void dataFedAnOctetAtATimeComesOutAsWhenFedWhole() {
        // CR and LF apart, a CR before the cut of an endless line, a bare CR, dot lines, the end
        String input = "one\r\ntwo\rthree\r\n..dot\r\nfour\r\n" + "y".repeat(SmtpInputDecoder.MAX_DATA_PIECE - 1)
                + "\r\nafter\r\n.\r\n";
        String whole = dataOf(input, input.length());
        assertEquals(whole, dataOf(input, 1));
        assertEquals(whole, dataOf(input, 7));
        assertTrue(whole.startsWith("one$\ntwo\rthree$\n.dot$\nfour$\n"), whole);
        assertTrue(whole.endsWith("after$\n<end>$\n"), whole);
    }

    @Test
    void anUnfinishedLineIsHeldOnlyUpToItsBound() {
        decoder.startData();
        feed("z".repeat(SmtpInputDecoder.MAX_HELD_LINE - 1));
        assertNull(decoder.nextDataPiece(), "under the bound: held for its line end");
        feed("zz");
        SmtpInputDecoder.DataPiece piece = decoder.nextDataPiece();
        assertEquals(SmtpInputDecoder.MAX_HELD_LINE + 1, piece.bytes().length());
        assertFalse(piece.endsLine());
        assertEquals(0, decoder.buffered(), "nothing of it left in the decoder");
    }

    @Test
    void completeLinesComeOutTogetherAndADotLineAlone() {
        decoder.startData();
        feed("a\r\nb\r\n.c\r\nd\r\ne");
        SmtpInputDecoder.DataPiece lines = decoder.nextDataPiece();
        assertEquals("a\r\nb", lines.bytes().toString());
        assertTrue(lines.startsLine() && lines.endsLine());
        assertEquals(".c", decoder.nextDataPiece().bytes().toString());
        assertEquals("d", decoder.nextDataPiece().bytes().toString());
        assertNull(decoder.nextDataPiece(), "'e' waits for its line end");
    }
}
