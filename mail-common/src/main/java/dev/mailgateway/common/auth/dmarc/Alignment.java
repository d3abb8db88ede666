package dev.mailgateway.common.auth.dmarc;

import java.util.Optional;

/**
 * Identifier alignment (RFC 7489 section 3.1): whether a domain SPF or DKIM
 * authenticated speaks for the {@code From:} domain. Both domains are given
 * in lower-case A-labels, so equal names are equal strings.
 */
enum Alignment {
    /** adkim=r, aspf=r, the default: the two share an organizational domain. */
    RELAXED,
    /** adkim=s, aspf=s: the two are the same domain. */
    STRICT;

    boolean aligns(String authenticated, String from) {
        return this == STRICT ? authenticated.equals(from)
                : OrganizationalDomain.of(authenticated).equals(OrganizationalDomain.of(from));
    }

    /** adkim= and aspf= values: "r" or "s", case-insensitive ABNF strings (section 6.4). */
    static Optional<Alignment> fromTag(String value) {
        return value.equalsIgnoreCase("r") ? Optional.of(RELAXED)
                : value.equalsIgnoreCase("s") ? Optional.of(STRICT) : Optional.empty();
    }
}
