package dev.mailgateway.common.auth.dkim;

/**
 * The outcome of verifying one signature, as RFC 8601 section 2.7.1 names
 * it, with a reason for the {@code Authentication-Results} comment and the
 * signature's d=, s= and i= for its properties (null when the signature did
 * not parse far enough to have them).
 */
public record DkimResult(Status status, String reason, String domain, String selector, String identity) {

    public enum Status {
        /** The signature verified. */
        PASS("pass"),
        /** The signature did not verify: the body or a signed field changed, or it was forged. */
        FAIL("fail"),
        /** It failed, but its key is in testing mode (t=y), which counts for no more than no signature. */
        NEUTRAL("neutral"),
        /** It verified or could have, but we do not accept it: it has expired (x=). */
        POLICY("policy"),
        /** The key could not be fetched now (DNS trouble): a later try may do. */
        TEMPERROR("temperror"),
        /** It can never verify: malformed, unsupported, over a limit, or its key is absent, revoked or weak. */
        PERMERROR("permerror");

        private final String token;

        Status(String token) {
            this.token = token;
        }

        /** The result's name in an {@code Authentication-Results} field. */
        public String token() {
            return token;
        }
    }

    static DkimResult of(Status status, String reason, DkimSignature signature) {
        return signature == null
                ? new DkimResult(status, reason, null, null, null)
                : new DkimResult(status, reason, signature.domain(), signature.selector(), signature.identity());
    }
}
