package dev.mailgateway.common.address;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A mailbox of RFC 5321 section 4.1.2, {@code local-part@domain}, as the
 * whole gateway keeps it: the ingress accepts it, the envelope carries it,
 * the worker stores, routes, relays and bounces it, accounts are keyed by it.
 * The local part stays as given (quoted ones too: only the destination may
 * interpret it); the domain is in its routable form ({@link DomainName}:
 * lower case, A-labels). Every instance is checked: the lengths of RFC 5321
 * section 4.5.3.1, in octets of UTF-8 (RFC 6531 section 3.3), hold for the
 * form relayed and for the case-folded {@link #mailboxKey()} stored in the
 * ledger and the accounts, so whatever is accepted fits everywhere it goes.
 * Address literals ({@code [192.0.2.1]}) are refused: the relay routes by DNS
 * only, so mail for one could be neither delivered nor bounced.
 */
public record MailAddress(String localPart, String domain) {

    /** RFC 5321 section 4.5.3.1.1: maximum local-part length, in octets. */
    public static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 section 4.5.3.1.3: maximum path length in octets, angle brackets included. */
    public static final int MAX_PATH = 256;

    /** @throws AddressException when the address is not one the gateway can take */
    public MailAddress {
        if (hasLoneSurrogate(localPart) || hasLoneSurrogate(domain)) {
            // no character at all: UTF-8 has no encoding for it, so it could not be written to a record or a row
            throw new AddressException(AddressException.Kind.SYNTAX, "Address is not valid Unicode");
        }
        if (!isDotString(localPart) && !isQuotedString(localPart)) {
            throw new AddressException(AddressException.Kind.SYNTAX, "Bad local part");
        }
        if (domain.startsWith("[")) {
            throw new AddressException(AddressException.Kind.DOMAIN, "Address literals are not routed");
        }
        domain = DomainName.toAscii(domain);
        // case folding may lengthen the local part (U+0130 lower-cases to two characters, three octets)
        int local = Math.max(octets(localPart), octets(localPart.toLowerCase(Locale.ROOT)));
        if (local > MAX_LOCAL_PART) {
            throw new AddressException(AddressException.Kind.SYNTAX, "Local part over " + MAX_LOCAL_PART + " octets");
        }
        if (2 + local + 1 + domain.length() > MAX_PATH) {
            throw new AddressException(AddressException.Kind.SYNTAX, "Path over " + MAX_PATH + " octets");
        }
    }

    /** A bare {@code local@domain}, as in envelope headers and the admin API. */
    public static MailAddress parse(String mailbox) {
        int at = mailbox.lastIndexOf('@');
        if (at <= 0 || at == mailbox.length() - 1) {
            throw new AddressException(AddressException.Kind.SYNTAX, "Address must be local-part@domain");
        }
        return new MailAddress(mailbox.substring(0, at), mailbox.substring(at + 1));
    }

    /**
     * The account key of an address as a person types it (a login, the admin API): the model's
     * {@link #mailboxKey()} when it parses, else lower-cased, which names no account the model made.
     */
    public static String keyOf(String address) {
        try {
            return parse(address).mailboxKey();
        } catch (AddressException e) {
            return address.toLowerCase(Locale.ROOT);
        }
    }

    /** The address as mailboxes are keyed: case-folded, since accounts compare case-insensitively. */
    public String mailboxKey() {
        return localPart.toLowerCase(Locale.ROOT) + "@" + domain;
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }

    private static boolean hasLoneSurrogate(String s) {
        return s.codePoints().anyMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }

    private static int octets(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** RFC 5321 Dot-string: atoms of atext joined by single dots. */
    static boolean isDotString(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5322 atext; non-ASCII text passes for SMTPUTF8 (RFC 6531 section 3.3). */
    private static boolean isAtext(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0 || isNonAsciiText(c);
    }

    /**
     * RFC 6532 section 3.1's UTF8-non-ascii, which SMTPUTF8 allows in addresses, but never a C1 control
     * character (U+0080-U+009F): NEL (U+0085) ends a line for some readers of the headers it lands in.
     */
    static boolean isNonAsciiText(char c) {
        return c >= 0x80 && !Character.isISOControl(c);
    }

    /** RFC 5321 Quoted-string: printable ASCII (and non-ASCII text, RFC 6531), with backslash pairs. */
    static boolean isQuotedString(String s) {
        if (s.length() < 2 || s.charAt(0) != '"' || s.charAt(s.length() - 1) != '"') {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                if (i >= s.length() - 1 || s.charAt(i) < 32 || s.charAt(i) > 126) {
                    return false;
                }
            } else if (c == '"' || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }
}
