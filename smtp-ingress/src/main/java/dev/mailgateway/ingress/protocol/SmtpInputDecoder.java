package dev.mailgateway.ingress.protocol;

import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.line.LineDecoder;

/**
 * Splits what an SMTP client sends into command lines (see {@link LineDecoder})
 * and message data, without blocking and with every accumulator bounded.
 * Pure: bytes in, frames out.
 *
 * <p>Message data ends lines only at CRLF (RFC 5321 section
 * 2.3.8): a bare LF or CR stays inside the line, so {@code <LF>.<LF>} can never
 * end the data and smuggle a second message. An endless data line comes out in
 * pieces of at most {@link #MAX_DATA_PIECE} bytes so memory stays bounded.
 * Pieces are views of the received bytes, not copies (later input is only
 * ever appended after them): the session copies them once, into the
 * message's blocks.
 */
public final class SmtpInputDecoder extends LineDecoder {

    /** Largest piece of one data line held before handing it on. */
    public static final int MAX_DATA_PIECE = 64 * 1024;

    /**
     * A piece of message data. {@code startsLine}: the piece begins a line;
     * {@code endsLine}: the line ended with CRLF (not included in {@code bytes}).
     */
    public record DataPiece(Buffer bytes, boolean startsLine, boolean endsLine) {
        /** The terminating line of RFC 5321 section 4.1.1.4: a lone "." between CRLFs. */
        public boolean isEndOfData() {
            return startsLine && endsLine && bytes.length() == 1 && bytes.getByte(0) == '.';
        }
    }

    private boolean atLineStart = true;

    /** @param maxCommandLine longest command line in octets, its CRLF included */
    public SmtpInputDecoder(int maxCommandLine) {
        super(maxCommandLine);
    }

    /** The next piece of message data, or null until more has arrived. */
    public DataPiece nextDataPiece() {
        int end = pending.length();
        for (int i = Math.max(start, scanned); i + 1 < end; i++) {
            if (pending.getByte(i) == '\r' && pending.getByte(i + 1) == '\n') {
                return take(i, i + 2, true);
            }
        }
        // a CR in the last octet is looked at again with the octet after it
        scanned = Math.max(start, end - 1);
        // keep a trailing CR: its LF may be in the next chunk
        int available = end - start - (end > start && pending.getByte(end - 1) == '\r' ? 1 : 0);
        if (available >= MAX_DATA_PIECE) {
            return take(start + MAX_DATA_PIECE, start + MAX_DATA_PIECE, false);
        }
        return null;
    }

    private DataPiece take(int contentEnd, int next, boolean endsLine) {
        DataPiece piece = new DataPiece(pending.slice(start, contentEnd), atLineStart, endsLine);
        start = next;
        scanned = next;
        atLineStart = endsLine;
        return piece;
    }

    /**
     * The next bytes of a BDAT chunk (RFC 3030), taken as they are: at most
     * {@code remaining}, and at most {@link #MAX_DATA_PIECE}; null while none
     * are buffered.
     */
    public Buffer nextChunk(long remaining) {
        int available = (int) Math.min(Math.min(buffered(), remaining), MAX_DATA_PIECE);
        if (available <= 0) {
            return null;
        }
        Buffer chunk = pending.slice(start, start + available);
        start += available;
        scanned = start;
        return chunk;
    }

    /** Switches to data: the first piece after the 354 starts a line. */
    public void startData() {
        atLineStart = true;
    }
}
