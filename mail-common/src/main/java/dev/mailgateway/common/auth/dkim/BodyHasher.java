package dev.mailgateway.common.auth.dkim;

import java.security.MessageDigest;

import io.netty.buffer.ByteBuf;
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
 * {@code l=} limit only that many canonical octets are hashed, and no
 * octet is taken once they are: the rest of the body, which the sender
 * chose and may make as large as it likes, costs nothing. Whether the body
 * reached its l= at all is in the {@link BodyDigest} (RFC 6376 section 3.5).
 */
public final class BodyHasher {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    /** Canonical octets are batched before they go to the digest, not handed over one by one. */
    private static final int BATCH = 8 * 1024;

    private final boolean relaxed;
    private final MessageDigest sha;
    private final long limit;
    private final byte[] batch = new byte[BATCH];
    private int batched;
    private long length;
    private long heldLineEnds;
    private boolean heldCr;
    private boolean heldSpace;
    private BodyDigest digest;

    BodyHasher(boolean relaxed, MessageDigest sha, long limit) {
        this.relaxed = relaxed;
        this.sha = sha;
        this.limit = limit;
    }

    /**
     * Takes a chunk where it lies: a heap buffer's array is read in place, a direct one octet by
     * octet; it is never copied (a verified message's body is one Buffer of up to the size limit).
     *
     * @return the octets taken, fewer than the chunk's only once the l= limit is reached
     */
    // Vert.x 4's Buffer -> ByteBuf bridge is deprecated for Vert.x 5 (as in DotStuffer): no copy, unlike getBytes()
    @SuppressWarnings("deprecation")
    public int update(Buffer chunk) {
        ByteBuf octets = chunk.getByteBuf();
        if (octets.hasArray()) {
            return update(octets.array(), octets.arrayOffset() + octets.readerIndex(), octets.readableBytes());
        }
        checkOpen();
        int taken = 0;
        for (int length = chunk.length(); taken < length && !limitReached(); taken++) {
            take(chunk.getByte(taken));
        }
        return taken;
    }

    /** As {@link #update(Buffer)}, from an array. */
    public int update(byte[] octets, int offset, int count) {
        checkOpen();
        int taken = 0;
        for (; taken < count && !limitReached(); taken++) {
            take(octets[offset + taken]);
        }
        return taken;
    }

    /** The hash of the canonical body (its first l= octets when limited); feeding ends here. */
    public BodyDigest finish() {
        if (digest == null) {
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
            digest = new BodyDigest(sha.digest(), limit < 0 || limitReached());
        }
        return digest;
    }

    private void checkOpen() {
        if (digest != null) {
            throw new IllegalStateException("Body already hashed");
        }
    }

    /** The first l= canonical octets are written: nothing that follows can change the hash. */
    private boolean limitReached() {
        return limit >= 0 && length >= limit;
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
        // a run of held line ends stops at the limit too: a million empty lines cost no million writes
        for (; heldLineEnds > 0 && !limitReached(); heldLineEnds--) {
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
        if (limitReached()) {
            return;
        }
        length++;
        batch[batched++] = b;
        if (batched == BATCH) {
            flush();
        }
    }

    private void flush() {
        sha.update(batch, 0, batched);
        batched = 0;
    }
}
