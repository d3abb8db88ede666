package dev.mailgateway.common.address;

import java.net.IDN;
import java.util.Locale;

/**
 * Domains as the gateway routes them: lower case, every label in its ASCII
 * form (an IDN's U-labels become A-labels, RFC 5890 section 2.3.2.1), so DNS
 * queries, comparisons with the local domains and stored rows all see one
 * spelling, and nothing downstream converts again.
 *
 * <p>The conversion is the JDK's {@link IDN#toASCII(String, int)}, which
 * implements IDNA2003 (RFC 3490, Unicode 3.2), not IDNA2008 (RFC 5891). Where
 * they differ it could send mail to another domain, so those cases are
 * refused rather than guessed: the four "deviation" characters (ß and its
 * capital, final sigma, ZWJ, ZWNJ), which IDNA2003 maps away and IDNA2008
 * keeps, and A-labels that do not decode and encode back to themselves
 * (RFC 5891 section 5.4: a label starting {@code xn--} must be a valid
 * A-label; the JDK passes ASCII labels through unchecked). Characters
 * newer than Unicode 3.2 are refused by the JDK as unassigned.
 */
public final class DomainName {

    /** RFC 1035 section 2.3.4 and RFC 5890 section 2.3.2.1: a label is at most 63 octets, in its ASCII form. */
    public static final int MAX_LABEL = 63;
    /** RFC 5321 section 4.5.3.1.2: a domain is at most 255 octets. */
    public static final int MAX_DOMAIN = 255;

    private static final String ACE_PREFIX = "xn--";
    /** ß, capital ß, final sigma, ZWNJ, ZWJ: IDNA2003 and IDNA2008 convert them differently (UTS #46 section 4.1). */
    private static final String DEVIATIONS = "\u00df\u1e9e\u03c2\u200c\u200d";

    private DomainName() {
    }

    /**
     * The routable form of a domain of RFC 5321's syntax (U-labels allowed, RFC 6531 section 3.3).
     *
     * @throws AddressException SYNTAX when it is not a domain at all, DOMAIN when it has no valid A-label form
     */
    public static String toAscii(String domain) {
        if (isPlainLowerCase(domain)) {
            return domain;
        }
        if (!isDomainSyntax(domain)) {
            throw new AddressException(AddressException.Kind.SYNTAX, "Bad domain");
        }
        for (String label : domain.split("\\.")) {
            if (label.length() > MAX_LABEL && label.chars().allMatch(c -> c < 0x80)) {
                throw new AddressException(AddressException.Kind.DOMAIN, "Domain label over " + MAX_LABEL + " octets");
            }
        }
        if (domain.chars().anyMatch(c -> DEVIATIONS.indexOf(c) >= 0)) {
            throw new AddressException(AddressException.Kind.DOMAIN, "Domain has a character IDNA2003 and IDNA2008 convert differently");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            // a label over 63 octets once converted, a prohibited or unassigned character, a U-label starting xn--
            throw noALabel();
        }
        for (String label : ascii.split("\\.", -1)) {
            // IDN.toASCII splits at the other dots IDNA2003 knows (U+3002, U+FF0E, U+FF61) and may map a label to nothing
            if (label.isEmpty() || label.length() > MAX_LABEL || !isLdhLabel(label) || (label.startsWith(ACE_PREFIX) && !isALabel(label))) {
                throw noALabel();
            }
        }
        if (ascii.length() > MAX_DOMAIN) {
            throw new AddressException(AddressException.Kind.DOMAIN, "Domain over " + MAX_DOMAIN + " octets");
        }
        return ascii;
    }

    /**
     * A name already in the form this gives, the common case (every name a DNS answer or a check hands
     * on): lower-case LDH labels, none an A-label (those are checked the long way), within the lengths.
     */
    private static boolean isPlainLowerCase(String domain) {
        if (domain.isEmpty() || domain.length() > MAX_DOMAIN) {
            return false;
        }
        int labelStart = 0;
        for (int i = 0; i <= domain.length(); i++) {
            char c = i < domain.length() ? domain.charAt(i) : '.';
            if (c == '.') {
                int length = i - labelStart;
                if (length == 0 || length > MAX_LABEL || domain.charAt(labelStart) == '-' || domain.charAt(i - 1) == '-'
                        || domain.startsWith(ACE_PREFIX, labelStart)) {
                    return false;
                }
                labelStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static AddressException noALabel() {
        return new AddressException(AddressException.Kind.DOMAIN, "Domain has no valid A-label form");
    }

    /** RFC 5321 Domain: dot-separated labels of letters, digits, inner hyphens and (RFC 6531) non-ASCII text. */
    static boolean isDomainSyntax(String s) {
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(isLetterOrDigit(c) || c == '-' || MailAddress.isNonAsciiText(c))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean isLdhLabel(String label) {
        if (label.startsWith("-") || label.endsWith("-")) {
            return false;
        }
        return label.chars().allMatch(c -> isLetterOrDigit((char) c) || c == '-');
    }

    private static boolean isLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** RFC 5891 section 5.4: it decodes to a U-label that encodes back to it (IDN.toUnicode returns its input when not). */
    private static boolean isALabel(String label) {
        String unicode = IDN.toUnicode(label, IDN.USE_STD3_ASCII_RULES);
        return !unicode.equals(label) && unicode.chars().noneMatch(c -> DEVIATIONS.indexOf(c) >= 0);
    }
}
