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

    void feed(Buffer bytes) {
        Octets octets = Octets.of(bytes);
        byte[] array = octets.array();
        for (int i = octets.offset(), end = i + octets.length(); i < end; i++) {
            octet(array[i]);
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
        if (inHeaders && prefixMatched >= 0 && prefixMatched < RECEIVED.length) {
            prefixMatched = Character.toLowerCase((char) (b & 0xff)) == RECEIVED[prefixMatched] ? prefixMatched + 1 : -1;
            if (prefixMatched == RECEIVED.length) {
                hops++;
            }
        }
        lineLength++;
        if (lineLength + 2 > maxLine) {
            lineTooLong = true;
        }
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
