package dev.mailgateway.common.auth.spf;

/**
 * The outcome of one SPF check (RFC 7208 section 2.6), with what an
 * {@code Authentication-Results} field needs (RFC 8601 section 2.7.2): the
 * result, the identity checked and whether it was the MAIL FROM or the HELO
 * one, and a short reason for the field's comment.
 *
 * @param status the result
 * @param identity {@link Identity#MAILFROM}: the reverse-path; {@link Identity#HELO}: the HELO/EHLO name
 * @param checked the identity's value, the property's value ({@code smtp.mailfrom=} or {@code smtp.helo=})
 * @param reason why, in at most {@link #MAX_REASON} printable ASCII characters without parentheses or
 *               backslashes, so it fits a header comment as it is
 */
public record SpfResult(Status status, Identity identity, String checked, String reason) {

    /** Longest reason kept: a header comment, not a trace. */
    public static final int MAX_REASON = 160;

    public enum Status {
        /** No SPF record, or no domain to check (section 2.6.1). */
        NONE("none"),
        /** The domain owner makes no assertion about the client (section 2.6.2). */
        NEUTRAL("neutral"),
        /** The client is authorized (section 2.6.3). */
        PASS("pass"),
        /** The client is not authorized (section 2.6.4). */
        FAIL("fail"),
        /** Probably not authorized, weakly stated (section 2.6.5). */
        SOFTFAIL("softfail"),
        /** A transient DNS error: a later check may do (section 2.6.6). */
        TEMPERROR("temperror"),
        /** The records cannot be interpreted: a syntax error or a limit passed (section 2.6.7). */
        PERMERROR("permerror");

        private final String token;

        Status(String token) {
            this.token = token;
        }

        /** The result's name in an {@code Authentication-Results} field (RFC 8601 section 2.7.2). */
        public String token() {
            return token;
        }
    }

    /** Which identity was checked (RFC 7208 sections 2.3 and 2.4). */
    public enum Identity {
        MAILFROM("smtp.mailfrom"),
        HELO("smtp.helo");

        private final String property;

        Identity(String property) {
            this.property = property;
        }

        /** The {@code Authentication-Results} property carrying the identity (RFC 8601 section 2.7.2). */
        public String property() {
            return property;
        }
    }

    public SpfResult {
        reason = printable(reason);
    }

    /** The text with anything a header comment could not hold as it is made a '?', cut to {@link #MAX_REASON}. */
    private static String printable(String text) {
        StringBuilder kept = new StringBuilder(Math.min(text.length(), MAX_REASON));
        for (int i = 0; i < text.length() && kept.length() < MAX_REASON; i++) {
            char c = text.charAt(i);
            kept.append(c < 0x20 || c > 0x7e || c == '(' || c == ')' || c == '\\' ? '?' : c);
        }
        return kept.toString();
    }
}
