package dev.mailgateway.common.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * The two canonicalizations of RFC 6376 section 3.4, over octets (8-bit
 * text passes through unchanged). Header fields are canonicalized here; a
 * body, which arrives in chunks, goes through a {@link BodyHasher} made by
 * {@link #bodyHasher}.
 */
public enum Canonicalization {
    /** Section 3.4.1 and 3.4.3: the octets as they are, trailing empty lines of the body dropped. */
    SIMPLE("simple"),
    /** Section 3.4.2 and 3.4.4: white space folded, header names in lower case. */
    RELAXED("relaxed");

    private final String tag;

    Canonicalization(String tag) {
        this.tag = tag;
    }

    public static Optional<Canonicalization> fromTag(String tag) {
        for (Canonicalization c : values()) {
            if (c.tag.equals(tag)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A hasher of a body under this canonicalization; {@code limit} is l= (-1 for the whole body). */
    public BodyHasher bodyHasher(MessageDigest digest, long limit) {
        return new BodyHasher(this == RELAXED, digest, limit);
    }

    /**
     * Writes one header field, as it stands in the message from its name to its line end,
     * canonicalized. Relaxed (section 3.4.2): the name in lower case, unfolded, runs of white
     * space made one space, white space around the colon and at the end removed, CRLF appended.
     */
    public void header(byte[] field, ByteArrayOutputStream out) {
        if (this == SIMPLE) {
            out.write(field, 0, field.length);
            return;
        }
        int colon = indexOf(field, (byte) ':');
        int nameEnd = colon;
        while (nameEnd > 0 && isWsp(field[nameEnd - 1])) {
            nameEnd--;
        }
        out.writeBytes(new String(field, 0, nameEnd, StandardCharsets.ISO_8859_1)
                .toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
        out.write(':');
        boolean space = false;
        boolean started = false;
        for (int i = colon + 1; i < field.length; i++) {
            byte b = field[i];
            if (b == '\r' && i + 1 < field.length && field[i + 1] == '\n') {
                i++; // unfolding: a CRLF inside the field, or the one ending it, is removed
            } else if (isWsp(b)) {
                space = started;
            } else {
                if (space) {
                    out.write(' ');
                    space = false;
                }
                out.write(b);
                started = true;
            }
        }
        out.write('\r');
        out.write('\n');
    }

    /**
     * Writes the {@code DKIM-Signature} field being signed or verified, its b= value already
     * removed: as {@link #header} but without the final CRLF (RFC 6376 section 3.7).
     */
    public void signatureHeader(byte[] fieldWithoutB, ByteArrayOutputStream out) {
        ByteArrayOutputStream field = new ByteArrayOutputStream(fieldWithoutB.length + 2);
        header(fieldWithoutB, field);
        byte[] canonical = field.toByteArray();
        int length = canonical.length;
        if (length >= 2 && canonical[length - 2] == '\r' && canonical[length - 1] == '\n') {
            length -= 2;
        }
        out.write(canonical, 0, length);
    }

    static boolean isWsp(byte b) {
        return b == ' ' || b == '\t';
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }
}
