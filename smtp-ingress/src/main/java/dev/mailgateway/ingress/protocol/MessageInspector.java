package dev.mailgateway.ingress.protocol;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.codec.Octets;

/**
 * Watches a message's bytes go by, in chunks cut anywhere (DATA lines, BDAT
 * chunks), for the two things the ingress refuses: a CR or LF that is not
 * part of a CRLF (RFC 5321 section 2.3.8 forbids them; a laxer next hop could
 * see a different end of data: SMTP smuggling), lines longer than the limit
 * (RFC 5321 section 4.5.3.1.6), and the Received lines of the header block,
 * which count the hops of a mail loop.
 */
final class MessageInspector {

    private static final byte[] RECEIVED = "received:".getBytes(StandardCharsets.US_ASCII);

    private boolean pendingCr;
    private boolean bareLineBreak;
    private boolean inHeaders = true;
    /** Position in the current line; -1 once the line is known not to start with "Received:". */
    private int prefixMatched;
    private int lineLength;
    private int hops;
    private final int maxLine;
    private boolean lineTooLong;

    /** @param maxLine longest line in octets, CRLF included */
    MessageInspector(int maxLine) {
        this.maxLine = maxLine;
    }

    /**
     * Looks at every octet, but one by one only where the state can change: after a CR, and at
     * the start of a header line while it may still be a Received field. A run of text up to the
     * next CR or LF only adds to the line's length, so it is skipped by a loop that does nothing
     * else: octet by octet, the whole message cost the ingress a sixth of its event loop at 100 KiB.
     */
    void feed(Buffer bytes) {
        Octets octets = Octets.of(bytes);
        byte[] array = octets.array();
        int end = octets.offset() + octets.length();
        int i = octets.offset();
        while (i < end) {
            if (pendingCr || matchingReceived()) {
                octet(array[i++]);
                continue;
            }
            int lineBreak = nextLineBreak(array, i, end);
            if (lineBreak > i) {
                textRun(lineBreak - i);
            }
            i = lineBreak;
            if (i < end) {
                octet(array[i++]);
            }
        }
    }

    /** Where the next CR or LF is, from {@code from}; {@code end} if none is. */
    private static int nextLineBreak(byte[] array, int from, int end) {
        for (int i = from; i < end; i++) {
            byte b = array[i];
            if (b == '\r' || b == '\n') {
                return i;
            }
        }
        return end;
    }

    /** In the header block, at a line's start, and still matching "Received:" (or not yet known not to). */
    private boolean matchingReceived() {
        return inHeaders && prefixMatched >= 0 && prefixMatched < RECEIVED.length;
    }

    /** Octets of a line that are neither CR nor LF, with no Received field to match among them. */
    private void textRun(int octets) {
        lineLength += octets;
        if (lineLength + 2 > maxLine) {
            lineTooLong = true;
        }
    }

    private void octet(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                endLine();
                return;
            }
            bareLineBreak = true;
        }
        if (b == '\r') {
            pendingCr = true;
        } else if (b == '\n') {
            bareLineBreak = true;
        } else {
            character(b);
        }
    }

    private void character(byte b) {
        if (matchingReceived()) {
            prefixMatched = Character.toLowerCase((char) (b & 0xff)) == RECEIVED[prefixMatched] ? prefixMatched + 1 : -1;
            if (prefixMatched == RECEIVED.length) {
                hops++;
            }
        }
        textRun(1);
    }

    private void endLine() {
        if (lineLength == 0) {
            // the empty line ends the header block
            inHeaders = false;
        }
        lineLength = 0;
        prefixMatched = 0;
    }

    /** A bare CR or LF was seen; a CR at the very end counts too, as no LF can follow it. */
    boolean bareLineBreak() {
        return bareLineBreak || pendingCr;
    }

    /**
     * A bare line break or an overlong line was seen: the message will be
     * refused whatever follows, so its bytes need not be kept. A CR at the
     * very end does not count yet: its LF may come with the next bytes.
     */
    boolean faultFound() {
        return bareLineBreak || lineTooLong;
    }

    int hops() {
        return hops;
    }

    boolean lineTooLong() {
        return lineTooLong;
    }
}
