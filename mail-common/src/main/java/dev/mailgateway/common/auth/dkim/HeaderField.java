package dev.mailgateway.common.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One header field as it stands in the message: its octets from the name to
 * the CRLF ending its last line (folded lines included), which is what the
 * simple canonicalization signs. {@code name} is in lower case for lookups;
 * it is null for a line that is no field at all (no colon), which no h=
 * entry can select.
 */
public record HeaderField(String name, byte[] octets) {

    /** The field from these octets; the name is what precedes the first colon, white space before it removed. */
    static HeaderField of(byte[] octets) {
        int colon = -1;
        for (int i = 0; i < octets.length && octets[i] != '\r'; i++) {
            if (octets[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return new HeaderField(null, octets);
        }
        int end = colon;
        while (end > 0 && Canonicalization.isWsp(octets[end - 1])) {
            end--;
        }
        String name = new String(octets, 0, end, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        return new HeaderField(name, octets);
    }

    /** The value: everything after the colon, without the final CRLF, one char per octet. */
    public String value() {
        int start = indexOfColon() + 1;
        int end = octets.length;
        if (end - start >= 2 && octets[end - 2] == '\r' && octets[end - 1] == '\n') {
            end -= 2;
        }
        return new String(octets, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Where the value starts in {@link #octets}. */
    int valueStart() {
        return indexOfColon() + 1;
    }

    private int indexOfColon() {
        for (int i = 0; i < octets.length; i++) {
            if (octets[i] == ':') {
                return i;
            }
        }
        throw new IllegalStateException("Not a header field");
    }
}
