package dev.mailgateway.common.auth.dmarc;

import java.util.Locale;

/**
 * The outcome of DMARC for one message (RFC 7489 section 6.6), for the
 * {@code Authentication-Results} field (section 11.2) and the ingress's
 * policy decision.
 *
 * @param result      the RFC 7489 section 11.2 result
 * @param reason      why, for the field's comment and the log; never text from DNS
 * @param fromDomain  the {@code From:} domain in lower-case A-labels; null when there was none to evaluate
 * @param policy      the record's p=; null unless a record was applied (pass and fail)
 * @param applied     the policy for this domain: sp= when the record is the organizational domain's and
 *                    the {@code From:} domain is below it, else p=; null as {@code policy} is
 * @param disposition what to do with the message: {@link DmarcPolicy#NONE} unless it failed, and then
 *                    {@code applied}, or one level less when pct= left it out of the sample (section 6.6.4)
 */
public record DmarcResult(Result result, String reason, String fromDomain, DmarcPolicy policy, DmarcPolicy applied,
        DmarcPolicy disposition) {

    public enum Result {
        /** An aligned identifier passed SPF or DKIM. */
        PASS,
        /** A policy applies and no aligned identifier passed. */
        FAIL,
        /** No policy applies: no record, several, or one without a valid p= or rua= (section 6.6.3). */
        NONE,
        /** DNS trouble, or an aligned identifier whose check had it: a later try may decide. */
        TEMPERROR,
        /** The record does not parse, or the message has no single {@code From:} domain to check. */
        PERMERROR;

        /** The result's name in an {@code Authentication-Results} field. */
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * For a message DMARC cannot be applied to because it has no {@code From:} domain, or several
     * (RFC 7489 section 6.6.1): the caller finds that out while reading the header.
     */
    public static DmarcResult permerror(String reason) {
        return unapplied(Result.PERMERROR, null, reason);
    }

    /** For a check that ran out of time: what a DNS timeout would have given. */
    public static DmarcResult temperror(String fromDomain, String reason) {
        return unapplied(Result.TEMPERROR, fromDomain, reason);
    }

    /** A result without a policy: none, temperror or permerror. */
    static DmarcResult unapplied(Result result, String fromDomain, String reason) {
        return new DmarcResult(result, reason, fromDomain, null, null, DmarcPolicy.NONE);
    }
}
