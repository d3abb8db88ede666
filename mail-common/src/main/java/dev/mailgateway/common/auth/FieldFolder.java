package dev.mailgateway.common.auth;

/**
 * Builds a header field the gateway writes (a {@code DKIM-Signature}, an
 * {@code Authentication-Results}), folded before a token that would pass
 * {@link #WIDTH} columns (RFC 5322 section 2.2.3: CRLF before white space);
 * continuation lines start with a space. A token longer than a line stays
 * whole on its own line, which section 2.1.1 allows up to 998 characters.
 */
public final class FieldFolder {

    /** RFC 5322 section 2.1.1: lines should be at most 78 characters, CRLF excluded. */
    public static final int WIDTH = 78;

    private final StringBuilder text = new StringBuilder();
    private int line;

    /** @param start the field name with its colon */
    public FieldFolder(String start) {
        text.append(start);
        line = start.length();
    }

    /** @param spaced whether white space separates the token from the one before (a fold may only go there) */
    public void add(String token, boolean spaced) {
        if (line + (spaced ? 1 : 0) + token.length() > WIDTH) {
            text.append("\r\n ");
            line = 1;
        } else if (spaced) {
            text.append(' ');
            line++;
        }
        text.append(token);
        line += token.length();
    }

    /** A value that may be folded anywhere, as base64 in a DKIM signature (RFC 6376 section 3.5, b=). */
    public void addFolded(String value) {
        int at = 0;
        while (at < value.length()) {
            if (line >= WIDTH) {
                text.append("\r\n ");
                line = 1;
            }
            int end = Math.min(value.length(), at + WIDTH - line);
            text.append(value, at, end);
            line += end - at;
            at = end;
        }
    }

    /** The field so far, without a final CRLF. */
    @Override
    public String toString() {
        return text.toString();
    }
}
