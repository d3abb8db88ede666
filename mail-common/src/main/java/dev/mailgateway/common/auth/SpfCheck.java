package dev.mailgateway.common.auth;

import java.util.Set;

/**
 * What DMARC and the {@code Authentication-Results} field need of an SPF
 * check (RFC 7208): its result, the domain it authorized or not, and which
 * identity that domain was.
 *
 * @param result   the RFC 8601 section 2.7.2 name: none, neutral, pass, fail, softfail, temperror or permerror
 * @param reason   a short explanation for the field's comment, empty for none
 * @param identity which identity was checked
 * @param domain   that identity's domain; null when there was none to check (a null reverse-path and an
 *                 address-literal HELO)
 */
public record SpfCheck(String result, String reason, Identity identity, String domain) {

    /** RFC 7208 section 2.6 results, by their RFC 8601 names. */
    private static final Set<String> RESULTS = Set.of("none", "neutral", "pass", "fail", "softfail", "temperror", "permerror");

    public enum Identity {
        /** The reverse-path's domain (RFC 7208 section 2.4). */
        MAIL_FROM("smtp.mailfrom"),
        /**
         * The HELO domain, checked because the reverse-path was null (RFC 7208 section 2.4 then checks
         * {@code postmaster@} that domain as the MAIL FROM identity). DMARC aligns it, as RFC 7489
         * section 3.1.2 allows when HELO stands in for a null reverse-path. A HELO check made beside a
         * non-null reverse-path (RFC 7208 section 2.3) is not this and never counts for DMARC.
         */
        NULL_PATH_HELO("smtp.helo");

        private final String property;

        Identity(String property) {
            this.property = property;
        }

        /** The RFC 8601 section 2.7.2 property the domain is reported under. */
        public String property() {
            return property;
        }
    }

    public SpfCheck {
        if (!RESULTS.contains(result)) {
            throw new IllegalArgumentException("Not an SPF result: " + result);
        }
        if (reason == null || identity == null) {
            throw new IllegalArgumentException("SPF check without a reason or an identity");
        }
    }

    public boolean passed() {
        return result.equals("pass");
    }
}
