package dev.mailgateway.common.address;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Parses the paths of MAIL FROM and RCPT TO (RFC 5321 section 4.1.2):
 * {@code <local@domain>}, the null path {@code <>} and {@code <Postmaster>}.
 * A source route ({@code <@a,@b:user@c>}) is accepted and ignored, as section
 * 4.1.1.3 requires, so only the final mailbox ever decides routing. No part
 * of a path may hold a control character, a C1 one (U+0080-U+009F) included:
 * an address is written into the Received: line, the envelope and bounces.
 * The mailbox itself is a {@link MailAddress}, with its checks.
 */
public final class MailPath {

    private MailPath() {
    }

    /** The parsed path: {@code address} is empty for {@code <>}; {@code postmaster} for bare {@code <Postmaster>}. */
    public record Parsed(Optional<MailAddress> address, boolean postmaster) {
        public boolean isNull() {
            return address.isEmpty() && !postmaster;
        }
    }

    /** @throws AddressException with a reason fit for the reply */
    public static Parsed parse(String path) {
        // as given, source route included (section 4.5.3.1.3); the mailbox is checked again once normalised
        if (path.getBytes(StandardCharsets.UTF_8).length > MailAddress.MAX_PATH) {
            throw new AddressException(AddressException.Kind.SYNTAX, "Path too long");
        }
        if (path.length() < 2 || path.charAt(0) != '<' || path.charAt(path.length() - 1) != '>') {
            throw new AddressException(AddressException.Kind.SYNTAX, "Path must be enclosed in <>");
        }
        String inner = path.substring(1, path.length() - 1);
        if (inner.isEmpty()) {
            return new Parsed(Optional.empty(), false);
        }
        if (inner.startsWith("@")) {
            int colon = inner.indexOf(':');
            if (colon < 0 || !isSourceRoute(inner.substring(0, colon))) {
                throw new AddressException(AddressException.Kind.SYNTAX, "Bad source route");
            }
            inner = inner.substring(colon + 1);
        }
        if (inner.equalsIgnoreCase("postmaster")) {
            return new Parsed(Optional.empty(), true);
        }
        return new Parsed(Optional.of(MailAddress.parse(inner)), false);
    }

    /**
     * Where {@code target} first occurs at or after {@code from} outside double quotes (a Quoted-string's
     * backslash pairs skipped), or -1: a quoted local part may hold a space, a '>' or an '@' of its own.
     */
    public static int indexOutsideQuotes(String s, int from, char target) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == target && !quoted) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 5321 A-d-l: {@code @domain} joined by commas; only their syntax matters, as they are never used. */
    private static boolean isSourceRoute(String route) {
        for (String hop : route.split(",", -1)) {
            if (!hop.startsWith("@") || !DomainName.isDomainSyntax(hop.substring(1))) {
                return false;
            }
        }
        return true;
    }
}
