package dev.mailgateway.common.auth.spf;

import java.util.Locale;

/**
 * The outcome of one SPF check (RFC 7208 section 2.6), with what an
 * {@code Authentication-Results} field needs (RFC 8601 section 2.7.2): the
 * result, the identity checked and whether it was the MAIL FROM or the HELO
 * one, and a short reason for the field's comment.
 *
 * @param status the result
 * @param identity {@link Identity#MAILFROM}: the reverse-path; {@link Identity#HELO}: the HELO/EHLO name
 * @param checked the identity's value ({@code smtp.mailfrom=} or {@code smtp.helo=}); null when there was none
 * @param reason why, in at most {@link #MAX_REASON} printable ASCII characters without parentheses or
 *               backslashes, so it fits a header comment as it is
 */
public record SpfResult(Status status, Identity identity, String checked, String reason) {

    /** Longest reason kept: a header comment, not a trace. */
    public static final int MAX_REASON = 160;

    /** The results of section 2.6, named as RFC 8601 section 2.7.2 names them. */
    public enum Status {
        /** No SPF record, or no domain to check (section 2.6.1). */
        NONE,
        /** The domain owner makes no assertion about the client (section 2.6.2). */
        NEUTRAL,
        /** The client is authorized (section 2.6.3). */
        PASS,
        /** The client is not authorized (section 2.6.4). */
        FAIL,
        /** Probably not authorized, weakly stated (section 2.6.5). */
        SOFTFAIL,
        /** A transient DNS error: a later check may do (section 2.6.6). */
        TEMPERROR,
        /** The records cannot be interpreted: a syntax error or a limit passed (section 2.6.7). */
        PERMERROR;

        /** The result's name in an {@code Authentication-Results} field: the constant's name in lower case. */
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Which identity was checked (RFC 7208 sections 2.3 and 2.4). HELO only stands in for a null
     * reverse-path here ({@code postmaster@} the HELO name, section 2.4), so DMARC aligns either
     * (RFC 7489 section 3.1.2).
     */
    public enum Identity {
        MAILFROM,
        HELO;

        /** The {@code Authentication-Results} property carrying the identity: smtp.mailfrom or smtp.helo (RFC 8601 section 2.7.2). */
        public String property() {
            return "smtp." + name().toLowerCase(Locale.ROOT);
        }
    }

    public SpfResult {
        reason = printable(reason);
    }

    public boolean passed() {
        return status == Status.PASS;
    }

    /**
     * The checked identity's domain, lower-case and without one trailing dot, the one DMARC aligns
     * (RFC 7489 section 3.1.2), so {@code a@example.com.} aligns with {@code example.com}; null when there
     * was none.
     */
    public String domain() {
        if (checked == null || checked.isEmpty()) {
            return null;
        }
        String domain = checked.substring(checked.lastIndexOf('@') + 1);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        return domain.toLowerCase(Locale.ROOT);
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
