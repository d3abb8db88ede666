package dev.mailgateway.common.address;

import java.util.Optional;

/**
 * Parses the paths of MAIL FROM and RCPT TO (RFC 5321 section 4.1.2):
 * {@code <local@domain>}, the null path {@code <>} and {@code <Postmaster>}.
 * A source route ({@code <@a,@b:user@c>}) is accepted and ignored, as section
 * 4.1.1.3 requires, so only the final mailbox ever decides routing. No part
 * of a path may hold a control character, a C1 one (U+0080-U+009F) included:
 * an address is written into the Received: line, the envelope and bounces.
 */
public final class MailPath {

    /** RFC 5321 section 4.5.3.1.3: maximum path length, angle brackets included. */
    public static final int MAX_PATH = 256;

    private MailPath() {
    }

    /** The parsed path: {@code address} is empty for {@code <>}; {@code postmaster} for bare {@code <Postmaster>}. */
    public record Parsed(Optional<MailAddress> address, boolean postmaster) {
        public boolean isNull() {
            return address.isEmpty() && !postmaster;
        }
    }

    /** @throws IllegalArgumentException with a reason fit for a 501 reply */
    public static Parsed parse(String path) {
        if (path.length() > MAX_PATH) {
            throw new IllegalArgumentException("Path too long");
        }
        if (path.length() < 2 || path.charAt(0) != '<' || path.charAt(path.length() - 1) != '>') {
            throw new IllegalArgumentException("Path must be enclosed in <>");
        }
        String inner = path.substring(1, path.length() - 1);
        if (inner.isEmpty()) {
            return new Parsed(Optional.empty(), false);
        }
        if (inner.startsWith("@")) {
            int colon = inner.indexOf(':');
            if (colon < 0 || !isSourceRoute(inner.substring(0, colon))) {
                throw new IllegalArgumentException("Bad source route");
            }
            inner = inner.substring(colon + 1);
        }
        if (inner.equalsIgnoreCase("postmaster")) {
            return new Parsed(Optional.empty(), true);
        }
        return new Parsed(Optional.of(parseMailbox(inner)), false);
    }

    /** A bare {@code local@domain}, as stored in envelope headers. */
    public static MailAddress parseMailbox(String mailbox) {
        int at = mailbox.lastIndexOf('@');
        if (at <= 0 || at == mailbox.length() - 1) {
            throw new IllegalArgumentException("Address must be local-part@domain");
        }
        String local = mailbox.substring(0, at);
        String domain = mailbox.substring(at + 1);
        if (local.length() > MailAddress.MAX_LOCAL_PART) {
            throw new IllegalArgumentException("Local part too long");
        }
        if (!isDotString(local) && !isQuotedString(local)) {
            throw new IllegalArgumentException("Bad local part");
        }
        if (domain.length() > MailAddress.MAX_DOMAIN || !(isDomain(domain) || isAddressLiteral(domain))) {
            throw new IllegalArgumentException("Bad domain");
        }
        return new MailAddress(local, domain);
    }

    /** RFC 5321 A-d-l: {@code @domain} joined by commas. */
    private static boolean isSourceRoute(String route) {
        for (String hop : route.split(",", -1)) {
            if (!hop.startsWith("@") || !isDomain(hop.substring(1))) {
                return false;
            }
        }
        return true;
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
    private static boolean isNonAsciiText(char c) {
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

    /** RFC 5321 Domain: dot-separated labels of letters, digits and inner hyphens. */
    static boolean isDomain(String s) {
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || isNonAsciiText(c))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** RFC 5321 address-literal, e.g. {@code [192.0.2.1]} or {@code [IPv6:::1]}. */
    static boolean isAddressLiteral(String s) {
        return s.length() > 2 && s.startsWith("[") && s.endsWith("]")
                && s.substring(1, s.length() - 1).chars().allMatch(c -> c > 32 && c < 127 && c != '[' && c != ']' && c != '\\');
    }
}
