package dev.mailgateway.common.auth.dmarc;

import java.util.Locale;
import java.util.Optional;

/** What a domain asks receivers to do with mail that fails DMARC (RFC 7489 section 6.3, p= and sp=). */
public enum DmarcPolicy {
    NONE,
    QUARANTINE,
    REJECT;

    /** The tag value, which is also the RFC 7489 section 7.2.1.1 disposition name. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The policy for a failing message that {@code pct} left out of the sample: the next less strict one
     * (RFC 7489 section 6.3, pct=).
     */
    DmarcPolicy oneLevelDown() {
        return this == REJECT ? QUARANTINE : NONE;
    }

    /** The policy a tag value names; its keywords are case-insensitive ABNF strings (section 6.4). */
    static Optional<DmarcPolicy> fromTag(String value) {
        for (DmarcPolicy policy : values()) {
            if (policy.token().equalsIgnoreCase(value)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }
}
