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
 * that knows comments, quoted strings and angle brackets, and calls
 * malformed what it cannot read exactly as a mail client would show it: an
 * author domain read wrongly would let a forged From pass DMARC ("Composition
 * Kills", USENIX Security 2020: two From fields, two addresses run together,
 * an address hidden in a display name).
 */
public final class AuthorDomains {

    /** Addresses read from the From field at most: more is no author list but a hostile one. */
    static final int MAX_AUTHORS = 32;
    /** RFC 5322 section 3.2.3: the specials a display name's atoms cannot hold ('.' is obs-phrase's, section 4.1). */
    private static final String PHRASE_SPECIALS = "()<>[]:;@\\,";

    /**
     * What the From field says.
     *
     * @param status  whether there are author domains to judge
     * @param domains the distinct author domains, in A-labels and lower case, in their order; empty unless found
     */
    public record Authors(Status status, List<String> domains) {

        public enum Status {
            /** One From field whose addresses all have a domain name. */
            FOUND,
            /** No From field: nothing is shown as the author, so nothing can be forged. */
            ABSENT,
            /**
             * More than one From field (RFC 5322 section 3.6 allows one), or one that does not read as a
             * mailbox-list of addresses with domain names, or names over {@link #MAX_AUTHORS} of them.
             */
            MALFORMED
        }

        public Authors {
            domains = List.copyOf(domains);
        }

        static final Authors ABSENT = new Authors(Status.ABSENT, List.of());
        /** Also for a header section the caller could not read whole. */
        public static final Authors MALFORMED = new Authors(Status.MALFORMED, List.of());
    }

    private AuthorDomains() {
    }

    public static Authors of(HeaderSection headers) {
        List<HeaderField> from = headers.named("from");
        if (from.isEmpty()) {
            return Authors.ABSENT;
        }
        if (from.size() > 1) {
            return Authors.MALFORMED;
        }
        // SMTPUTF8 mail (RFC 6532) may carry U-labels: the octets are UTF-8
        String value = new String(from.get(0).value().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return addresses(value).flatMap(AuthorDomains::domains)
                .map(domains -> new Authors(Authors.Status.FOUND, domains)).orElse(Authors.MALFORMED);
    }

    private static Optional<List<String>> domains(List<String> addresses) {
        Set<String> domains = new LinkedHashSet<>();
        for (String address : addresses) {
            int at = onlyAtOutsideQuotes(address);
            if (at < 1 || at == address.length() - 1) {
                return Optional.empty();
            }
            String domain = address.substring(at + 1);
            // a fully qualified name's root dot (RFC 1034 section 3.1) names the same domain
            domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            try {
                domains.add(DomainName.toAscii(domain).toLowerCase(Locale.ROOT));
            } catch (AddressException e) {
                return Optional.empty();
            }
        }
        return domains.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(domains));
    }

    /** One mailbox being read: the words before an angle-addr (a display name), or of a bare addr-spec. */
    private static final class Mailbox {
        final List<StringBuilder> words = new ArrayList<>();
        boolean wordOpen;
        String angle;

        void character(char c) {
            if (!wordOpen) {
                words.add(new StringBuilder());
                wordOpen = true;
            }
            words.get(words.size() - 1).append(c);
        }

        void text(String quoted) {
            if (!wordOpen) {
                words.add(new StringBuilder());
                wordOpen = true;
            }
            words.get(words.size() - 1).append(quoted);
        }

        /** White space or a comment: the word ends. */
        void gap() {
            wordOpen = false;
        }

        boolean isEmpty() {
            return words.isEmpty() && angle == null;
        }

        /**
         * The addr-spec; null when it does not read as one. A display name may hold atoms, dots and
         * quoted strings only. A bare addr-spec's words join only at a '.' or '@' (the CFWS that RFC 5322
         * section 4.4 allows around them): "a@victim.example a@evil.example" is two addresses run together.
         */
        String address() {
            if (angle != null) {
                for (StringBuilder word : words) {
                    if (hasUnquoted(word, PHRASE_SPECIALS)) {
                        return null;
                    }
                }
                return angle;
            }
            StringBuilder address = new StringBuilder();
            for (StringBuilder word : words) {
                boolean joins = address.length() == 0 || ".@".indexOf(address.charAt(address.length() - 1)) >= 0
                        || ".@".indexOf(word.charAt(0)) >= 0;
                if (!joins) {
                    return null;
                }
                address.append(word);
            }
            return address.toString();
        }
    }

    /**
     * The addr-specs of a mailbox-list, comments and white space dropped, display names checked and
     * skipped; empty when the list does not parse.
     */
    static Optional<List<String>> addresses(String value) {
        List<String> addresses = new ArrayList<>();
        Mailbox mailbox = new Mailbox();
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
                    mailbox.gap();
                    continue;
                }
                case '"' -> {
                    int end = endOfQuoted(value, i);
                    if (end < 0 || mailbox.angle != null) {
                        return Optional.empty();
                    }
                    mailbox.text(value.substring(i, end));
                    i = end;
                    continue;
                }
                case '<' -> {
                    int end = value.indexOf('>', i);
                    if (mailbox.angle != null || end < 0) {
                        return Optional.empty();
                    }
                    mailbox.angle = withoutRoute(value.substring(i + 1, end).strip());
                    i = end + 1;
                    continue;
                }
                case ':' -> {
                    // RFC 6854: "group: a@b, c@d;" - the words before are the group's name
                    if (inGroup || mailbox.angle != null) {
                        return Optional.empty();
                    }
                    inGroup = true;
                    mailbox = new Mailbox();
                }
                case ',', ';' -> {
                    if (c == ';') {
                        if (!inGroup) {
                            return Optional.empty();
                        }
                        inGroup = false;
                    }
                    if (!add(addresses, mailbox)) {
                        return Optional.empty();
                    }
                    mailbox = new Mailbox();
                }
                case ' ', '\t', '\r', '\n' -> mailbox.gap();
                default -> {
                    if (mailbox.angle != null) {
                        return Optional.empty(); // text after an angle-addr
                    }
                    mailbox.character(c);
                }
            }
            i++;
        }
        if (inGroup || !add(addresses, mailbox)) {
            return Optional.empty();
        }
        return addresses.isEmpty() ? Optional.empty() : Optional.of(addresses);
    }

    /** Adds the mailbox just read, if any (an empty list element is allowed, RFC 5322 section 4.4); false when it does not read. */
    private static boolean add(List<String> addresses, Mailbox mailbox) {
        if (mailbox.isEmpty()) {
            return true;
        }
        String address = mailbox.address();
        if (address == null || address.isEmpty() || addresses.size() == MAX_AUTHORS) {
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

    /** Whether the text has one of {@code specials} outside its quoted strings. */
    private static boolean hasUnquoted(CharSequence text, String specials) {
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && specials.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The @ that separates local part and domain: the only one outside a quoted local part; -1 for none or several. */
    private static int onlyAtOutsideQuotes(String address) {
        int at = -1;
        boolean quoted = false;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '@' && !quoted) {
                if (at >= 0) {
                    return -1;
                }
                at = i;
            }
        }
        return at;
    }
}
