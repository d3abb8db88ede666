package dev.mailgateway.common.auth.spf;

import java.util.List;

/**
 * One parsed SPF record (RFC 7208 section 4.6): its directives in order,
 * and the redirect and exp modifiers (section 6), each null when absent.
 * Unknown modifiers are checked and dropped by the parser (section 6).
 */
record SpfRecord(List<Directive> directives, String redirect, String explanation) {

    SpfRecord {
        directives = List.copyOf(directives);
    }

    /** Section 6.1: redirect is ignored when the record has an "all" mechanism anywhere. */
    boolean hasAll() {
        return directives.stream().anyMatch(d -> d.mechanism() == Mechanism.ALL);
    }

    /** Section 4.6.2: a directive's qualifier is the result when its mechanism matches. */
    enum Qualifier {
        PASS('+', SpfResult.Status.PASS),
        FAIL('-', SpfResult.Status.FAIL),
        SOFTFAIL('~', SpfResult.Status.SOFTFAIL),
        NEUTRAL('?', SpfResult.Status.NEUTRAL);

        final char symbol;
        final SpfResult.Status result;

        Qualifier(char symbol, SpfResult.Status result) {
            this.symbol = symbol;
            this.result = result;
        }
    }

    /** Section 5; {@code queriesDns}: counts towards the 10-lookup limit of section 4.6.4. */
    enum Mechanism {
        ALL(false), INCLUDE(true), A(true), MX(true), PTR(true), IP4(false), IP6(false), EXISTS(true);

        final boolean queriesDns;

        Mechanism(boolean queriesDns) {
            this.queriesDns = queriesDns;
        }
    }

    /**
     * One directive.
     *
     * @param text the term as written, for reasons
     * @param domainSpec the target's macro-string; null for the current domain (a, mx, ptr) or none (all, ip4, ip6)
     * @param ip4Prefix the IPv4 CIDR length (a, mx, ip4), else 32
     * @param ip6Prefix the IPv6 CIDR length (a, mx, ip6), else 128
     * @param network the ip4 or ip6 network's 4 or 16 octets, as written: an IPv4-mapped ip6 network stays
     *                IPv6 and matches no client, as mapped clients count as IPv4 (section 5); null for the others
     */
    record Directive(String text, Qualifier qualifier, Mechanism mechanism, String domainSpec, int ip4Prefix, int ip6Prefix,
            byte[] network) {
    }
}
