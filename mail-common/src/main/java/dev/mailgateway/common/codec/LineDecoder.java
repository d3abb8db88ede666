package dev.mailgateway.common.codec;

import io.vertx.core.buffer.Buffer;

/**
 * Splits what a client sends into command lines, without blocking and with
 * a bounded buffer: the SMTP and POP3 servers' front end. Pure: bytes in,
 * lines out. Lines end at LF; a CR before it is dropped (bare LF is accepted
 * in commands, as Postfix and Dovecot do). A line longer than the limit is
 * discarded up to its end and reported once as too long. Every received
 * octet is looked at once: a line that arrives an octet at a time is not
 * searched again from its start for each one.
 */
public class LineDecoder {

    /** A command line, without its line end; {@code tooLong} when it passed the limit and was dropped. */
    public record Line(String text, boolean tooLong) {
    }

    private final int maxLine;
    /** Received bytes; those before {@link #start} were handed out already. */
    protected Buffer pending = Buffer.buffer();
    protected int start;
    /** Where the search for the next line end goes on: the octets from start to here hold none. */
    protected int scanned;
    private boolean discarding;

    /** @param maxLine longest line in octets, its CRLF included */
    public LineDecoder(int maxLine) {
        this.maxLine = maxLine;
    }

    public void feed(Buffer chunk) {
        if (start > 0 && start == pending.length()) {
            pending = Buffer.buffer(chunk.length());
            scanned = 0;
            start = 0;
        } else if (start > 0) {
            pending = pending.getBuffer(start, pending.length());
            scanned -= start;
            start = 0;
        }
        pending.appendBuffer(chunk);
    }

    /** Drops everything received and not yet handed out (e.g. plaintext pipelined after STARTTLS). */
    public void discardBuffered() {
        pending = Buffer.buffer();
        start = 0;
        scanned = 0;
        discarding = false;
    }

    /** Bytes received but not yet handed out. */
    public int buffered() {
        return pending.length() - start;
    }

    /** The next whole line, or null until one has arrived. */
    public Line nextLine() {
        int end = pending.length();
        for (int i = Math.max(start, scanned); i < end; i++) {
            if (pending.getByte(i) != '\n') {
                continue;
            }
            int lineEnd = i > start && pending.getByte(i - 1) == '\r' ? i - 1 : i;
            boolean tooLong = discarding || i + 1 - start > maxLine;
            String text = tooLong ? "" : pending.getString(start, lineEnd, "UTF-8");
            start = i + 1;
            scanned = start;
            discarding = false;
            return new Line(text, tooLong);
        }
        scanned = end;
        if (end - start > maxLine) {
            // no end in sight: drop what we have, remember to report the line
            discarding = true;
            start = end;
        }
        return null;
    }
}
