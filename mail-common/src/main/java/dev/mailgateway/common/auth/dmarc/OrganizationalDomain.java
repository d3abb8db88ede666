package dev.mailgateway.common.auth.dmarc;

import com.google.common.net.InternetDomainName;

import dev.mailgateway.common.auth.ParsedRecords;

/**
 * The organizational domain of RFC 7489 section 3.2: the public suffix a
 * domain is under, plus one label. The suffixes are those of the Public
 * Suffix List as shipped in Guava, both its sections: ICANN's and the
 * private one (github.io, blogspot.com, cloud providers' bucket domains).
 * RFC 7489 names the list without choosing a section; the private section
 * is what keeps strangers apart, since {@code alice.github.io} and
 * {@code bob.github.io} belong to different people, and with ICANN's
 * section alone they would share {@code github.io} as their organizational
 * domain: relaxed alignment would let one's SPF and DKIM pass DMARC for the
 * other's {@code From:}, and both would inherit whatever record
 * {@code _dmarc.github.io} holds. OpenDMARC and Stalwart read the whole
 * list for the same reason.
 */
final class OrganizationalDomain {

    /**
     * Answers already found: the list's lookup costs more than the rest of DMARC, and a message asks
     * it for its From domain and each domain it aligns. Bounded, as strangers name the domains.
     */
    private static final ParsedRecords<String> KNOWN = new ParsedRecords<>();

    private OrganizationalDomain() {
    }

    /**
     * @param domain lower-case A-labels
     * @return the organizational domain, in the same form; the domain itself when it is a public
     *         suffix, and, for a name under no listed suffix, its last two labels: the Public Suffix
     *         List's default rule "*" makes the top-level label the suffix
     */
    static String of(String domain) {
        return KNOWN.parse(domain, OrganizationalDomain::find);
    }

    private static String find(String domain) {
        InternetDomainName name;
        try {
            name = InternetDomainName.from(domain);
        } catch (IllegalArgumentException e) {
            // not a name Guava accepts (DomainName checked it already): it aligns with itself only
            return domain;
        }
        if (name.isTopPrivateDomain() || name.isPublicSuffix()) {
            return domain;
        }
        if (name.isUnderPublicSuffix()) {
            return name.topPrivateDomain().toString();
        }
        int lastDot = domain.lastIndexOf('.');
        int beforeLast = lastDot < 0 ? -1 : domain.lastIndexOf('.', lastDot - 1);
        return domain.substring(beforeLast + 1);
    }
}
