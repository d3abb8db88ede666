package dev.mailgateway.common.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.DomainName;
import dev.mailgateway.common.auth.dkim.HeaderField;
import dev.mailgateway.common.auth.dkim.HeaderSection;

/**
 * The domains of a message's authors: the addresses of its From field
 * (RFC 5322 section 3.6.2, mailbox-list, with RFC 6854's groups), which
 * DMARC judges (RFC 7489 section 6.6.1) and by which relayed mail is
 * signed. The field comes from a stranger, so it is read by a small lexer
 * that knows comments, quoted strings and angle brackets, and gives up
 * (empty) rather than guess: an author domain read wrongly would let a
 * forged From pass DMARC.
 */
public final class AuthorDomains {

    /** Addresses read from the From field at most: more is no author list but a hostile one (empty). */
    static final int MAX_AUTHORS = 32;

    private AuthorDomains() {
    }

    /**
     * The distinct author domains, in A-labels and lower case, in their order.
     *
     * @return empty when there is no From field or more than one (RFC 5322 section 3.6 allows one),
     *         an address without a domain name (a domain literal, none at all), a field that does not parse,
     *         or more than {@link #MAX_AUTHORS} addresses
     */
    public static Optional<List<String>> of(HeaderSection headers) {
        List<HeaderField> from = headers.named("from");
        if (from.size() != 1) {
            return Optional.empty();
        }
        // SMTPUTF8 mail (RFC 6532) may carry U-labels: the octets are UTF-8
        String value = new String(from.get(0).value().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return addresses(value).flatMap(AuthorDomains::domains);
    }

    private static Optional<List<String>> domains(List<String> addresses) {
        Set<String> domains = new LinkedHashSet<>();
        for (String address : addresses) {
            int at = lastAtOutsideQuotes(address);
            if (at < 1 || at == address.length() - 1) {
                return Optional.empty();
            }
            try {
                domains.add(DomainName.toAscii(address.substring(at + 1)).toLowerCase(Locale.ROOT));
            } catch (AddressException e) {
                return Optional.empty();
            }
        }
        return domains.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(domains));
    }

    /**
     * The addr-specs of a mailbox-list, comments and white space dropped, display names skipped; empty when
     * the list does not parse.
     */
    static Optional<List<String>> addresses(String value) {
        List<String> addresses = new ArrayList<>();
        StringBuilder bare = new StringBuilder();
        String angle = null;
        boolean inGroup = false;
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            switch (c) {
                case '(' -> {
                    i = skipComment(value, i);
                    if (i < 0) {
                        return Optional.empty();
                    }
                    continue;
                }
                case '"' -> {
                    int end = endOfQuoted(value, i);
                    if (end < 0) {
                        return Optional.empty();
                    }
                    bare.append(value, i, end);
                    i = end;
                    continue;
                }
                case '<' -> {
                    int end = value.indexOf('>', i);
                    if (angle != null || end < 0) {
                        return Optional.empty();
                    }
                    angle = withoutRoute(value.substring(i + 1, end).strip());
                    bare.setLength(0); // what came before was the display name
                    i = end + 1;
                    continue;
                }
                case ':' -> {
                    // RFC 6854: "group: a@b, c@d;" - what came before is the group's name
                    if (inGroup || angle != null) {
                        return Optional.empty();
                    }
                    inGroup = true;
                    bare.setLength(0);
                }
                case ',', ';' -> {
                    if (c == ';') {
                        if (!inGroup) {
                            return Optional.empty();
                        }
                        inGroup = false;
                    }
                    if (!add(addresses, angle, bare)) {
                        return Optional.empty();
                    }
                    angle = null;
                }
                case ' ', '\t', '\r', '\n' -> {
                    // folding and the space between display-name words: not part of an addr-spec
                }
                default -> {
                    if (angle != null) {
                        return Optional.empty(); // text after an angle-addr
                    }
                    bare.append(c);
                }
            }
            i++;
        }
        if (inGroup || !add(addresses, angle, bare)) {
            return Optional.empty();
        }
        return addresses.isEmpty() || addresses.size() > MAX_AUTHORS ? Optional.empty() : Optional.of(addresses);
    }

    /** Adds the mailbox just read, if any (an empty list element is allowed, RFC 5322 section 4.4). */
    private static boolean add(List<String> addresses, String angle, StringBuilder bare) {
        String address = angle != null ? angle : bare.toString();
        bare.setLength(0);
        if (address.isEmpty()) {
            return angle == null;
        }
        if (addresses.size() == MAX_AUTHORS) {
            return false;
        }
        addresses.add(address);
        return true;
    }

    /** RFC 5322 section 4.4 obs-route: {@code <@relay,@relay:local@domain>} names local@domain. */
    private static String withoutRoute(String address) {
        if (address.startsWith("@")) {
            int colon = address.indexOf(':');
            return colon < 0 ? "" : address.substring(colon + 1);
        }
        return address;
    }

    /** Just past the comment starting at {@code start}, nested comments and quoted pairs included; -1 when unterminated. */
    private static int skipComment(String value, int start) {
        int depth = 0;
        for (int i = start; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Just past the quoted string starting at {@code start}; -1 when unterminated. */
    private static int endOfQuoted(String value, int start) {
        for (int i = start + 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The @ that separates local part and domain: the last one outside a quoted local part. */
    private static int lastAtOutsideQuotes(String address) {
        int at = -1;
        boolean quoted = false;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '@' && !quoted) {
                at = i;
            }
        }
        return at;
    }
}
