package dev.mailgateway.common.auth.dkim;

import java.security.MessageDigest;

import io.vertx.core.buffer.Buffer;

/**
 * Hashes a message body under a canonicalization of RFC 6376 sections 3.4.3
 * and 3.4.4, fed in chunks cut anywhere (the relay streams bodies 64 KiB at
 * a time), in constant memory. Lines end at CRLF only; a bare CR or LF is
 * text, as in the SMTP data it came from (RFC 5321 section 2.3.8). A last
 * line without CRLF gets one, and relaxed drops the white space ending it
 * like that ending any line (Mail::DKIM agrees; dkimpy keeps one space; SMTP
 * never delivers such a body).
 *
 * <p>What the rules hold back until the next octet decides: line ends (empty
 * lines at the end of the body are dropped, so CRLFs are counted and written
 * only when text follows), a CR (is an LF next?) and, relaxed, white space
 * (dropped at the end of a line, else written as one space). With an
 * {@code l=} limit only that many canonical octets are hashed; the
 * canonical length is counted in full, so a verifier can tell a body shorter
 * than its l= (RFC 6376 section 3.5).
 */
public final class BodyHasher {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    /** Canonical octets are batched before they go to the digest, not handed over one by one. */
    private static final int BATCH = 8 * 1024;

    private final boolean relaxed;
    private final MessageDigest digest;
    private final long limit;
    private final byte[] batch = new byte[BATCH];
    private int batched;
    private long length;
    private long heldLineEnds;
    private boolean heldCr;
    private boolean heldSpace;
    private byte[] hash;

    BodyHasher(boolean relaxed, MessageDigest digest, long limit) {
        this.relaxed = relaxed;
        this.digest = digest;
        this.limit = limit;
    }

    public void update(Buffer chunk) {
        update(chunk.getBytes(), 0, chunk.length());
    }

    public void update(byte[] octets, int offset, int count) {
        if (hash != null) {
            throw new IllegalStateException("Body already hashed");
        }
        for (int i = offset, end = offset + count; i < end; i++) {
            take(octets[i]);
        }
    }

    /** The hash of the canonical body (its first l= octets when limited); feeding ends here. */
    public byte[] finish() {
        if (hash == null) {
            if (heldCr) {
                text(CR);
                heldCr = false;
            }
            if (length > 0) {
                // the last line with text ends with one CRLF, whether it had one or not; empty lines after it are dropped
                writeLineEnd();
            } else if (!relaxed) {
                // section 3.4.3: an empty body is one CRLF; relaxed adds one only to a non-empty body (3.4.4)
                writeLineEnd();
            }
            flush();
            hash = digest.digest();
        }
        return hash.clone();
    }

    /** Octets of the canonical body, all of it even past the limit; meaningful after {@link #finish}. */
    public long canonicalLength() {
        return length;
    }

    private void take(byte b) {
        if (heldCr) {
            heldCr = false;
            if (b == LF) {
                heldSpace = false; // relaxed: white space at the end of a line is dropped
                heldLineEnds++;
                return;
            }
            text(CR);
        }
        if (b == CR) {
            heldCr = true;
        } else if (relaxed && Canonicalization.isWsp(b)) {
            heldSpace = true;
        } else {
            text(b);
        }
    }

    private void text(byte b) {
        for (; heldLineEnds > 0; heldLineEnds--) {
            writeLineEnd();
        }
        if (heldSpace) {
            write(SP);
            heldSpace = false;
        }
        write(b);
    }

    private void writeLineEnd() {
        write(CR);
        write(LF);
    }

    private void write(byte b) {
        length++;
        if (limit >= 0 && length > limit) {
            return;
        }
        batch[batched++] = b;
        if (batched == BATCH) {
            flush();
        }
    }

    private void flush() {
        digest.update(batch, 0, batched);
        batched = 0;
    }
}
