package dev.mailgateway.ingress.protocol;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.codec.LineDecoder;

/**
 * Splits what an SMTP client sends into command lines (see {@link LineDecoder})
 * and message data, without blocking and with every accumulator bounded.
 * Pure: bytes in, frames out.
 *
 * <p>Message data ends lines only at CRLF (RFC 5321 section
 * 2.3.8): a bare LF or CR stays inside the line, so {@code <LF>.<LF>} can never
 * end the data and smuggle a second message. An endless data line comes out in
 * pieces of at most {@link #MAX_DATA_PIECE} bytes; a line that has not
 * ended is handed on once {@link #MAX_HELD_LINE} octets of it are here, so
 * the decoder holds no more than that of it (the session keeps message bytes
 * only with room from the shared budget: the decoder's own bound is what
 * holds summed over thousands of sessions).
 * Pieces are views of the received bytes, not copies (later input is only
 * ever appended after them): the session copies them once, into the
 * message's blocks.
 */
public final class SmtpInputDecoder extends LineDecoder {

    /** Largest piece of one data line held before handing it on. */
    public static final int MAX_DATA_PIECE = 64 * 1024;

    /**
     * Octets of an unfinished line held before they are handed on: a text line
     * has at most 1000 (RFC 5321 section 4.5.3.1.6), a longer one is refused anyway.
     */
    public static final int MAX_HELD_LINE = 1024;

    private static final byte CR = '\r';

    /**
     * A piece of message data: one or more lines, CRLFs between them kept.
     * {@code startsLine}: the piece begins a line; {@code endsLine}: its last
     * line ended with CRLF (not included in {@code bytes}).
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

    /**
     * The next piece of message data, or null until more has arrived: the
     * complete lines buffered, up to {@link #MAX_DATA_PIECE} octets, as one
     * piece, except that a line starting with a dot is always a piece of its
     * own (it may end the data, or lose its first dot).
     */
    @SuppressWarnings("deprecation") // Vert.x 4's Buffer -> ByteBuf bridge, as in DotStuffer: a view, no copy
    public DataPiece nextDataPiece() {
        ByteBuf octets = pending.getByteBuf();
        int end = pending.length();
        int lineEnd = crlfFrom(octets, Math.max(start, scanned), end);
        if (lineEnd < 0) {
            // a CR in the last octet is looked at again with the octet after it
            scanned = Math.max(start, end - 1);
            // keep a trailing CR: its LF may be in the next chunk
            int available = end - start - (end > start && pending.getByte(end - 1) == '\r' ? 1 : 0);
            int cut = start + Math.min(available, MAX_DATA_PIECE);
            return available >= MAX_HELD_LINE ? take(cut, cut, false) : null;
        }
        if (atLineStart && pending.getByte(start) == '.') {
            return take(lineEnd, lineEnd + 2, true);
        }
        // the lines after it go along while they are complete, within the bound, and start with no dot
        for (int next = lineEnd + 2; next < end && pending.getByte(next) != '.'; next = lineEnd + 2) {
            int nextEnd = crlfFrom(octets, next, end);
            if (nextEnd < 0 || nextEnd - start > MAX_DATA_PIECE) {
                break;
            }
            lineEnd = nextEnd;
        }
        return take(lineEnd, lineEnd + 2, true);
    }

    /**
     * Where the first CRLF in {@code octets} from {@code from} starts, or -1. CRs are found by Netty's
     * indexOf, eight octets at a time: a 100 KiB message looked at octet by octet through
     * Buffer.getByte, with its bounds checks, cost the ingress 7% of its time.
     */
    private static int crlfFrom(ByteBuf octets, int from, int end) {
        if (from + 1 >= end) {
            return -1; // and indexOf would search backwards
        }
        for (int cr = octets.indexOf(from, end - 1, CR); cr >= 0; cr = octets.indexOf(cr + 1, end - 1, CR)) {
            if (octets.getByte(cr + 1) == '\n') {
                return cr;
            }
        }
        return -1;
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
