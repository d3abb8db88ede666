package dev.mailgateway.common.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.mailgateway.common.auth.dkim.DkimResult;
import dev.mailgateway.common.auth.spf.SpfResult;
import dev.mailgateway.common.auth.dmarc.DmarcResult;

/**
 * The {@code Authentication-Results} header field (RFC 8601): written for
 * the checks the ingress made, and read just far enough, in fields that
 * arrive with a message, to find those that claim to be ours (section 5).
 *
 * <p>Security-sensitive both ways. Written: domains, selectors, identities
 * and reasons come from strangers, so each property value is a token, an
 * address, a quoted-string, or left out, and each comment is rewritten to
 * characters that cannot end it, start a field or a result; the field is
 * pure ASCII. Read: the value is hostile, so the parser takes one pass,
 * keeps no stack for nested comments, and never throws.
 */
public final class AuthenticationResults {

    public static final String FIELD_NAME = "Authentication-Results";
    /** Longest comment written: a reason is a hint for a reader, and a hostile one must not make the field long. */
    public static final int MAX_COMMENT = 100;
    /** Longest property value written: a path's length (RFC 5321 section 4.5.3.1.3), which no domain or identity needs to pass. */
    public static final int MAX_PROPERTY = 256;
    /** RFC 2045 section 5.1: the characters a token cannot have besides SPACE and controls. */
    private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";
    /** RFC 5322 section 3.2.3: atext, the characters of a dot-atom besides the dots. */
    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private AuthenticationResults() {
    }

    /**
     * One field: {@code authservId}, then the SPF result, one DKIM result per signature ({@code dkim=none}
     * when there is none) and the DMARC result, each with its reason as a comment; folded at
     * {@value FieldFolder#WIDTH} columns, CRLF at the end.
     *
     * @param authservId the gateway's {@code mail.hostname}
     * @throws IllegalArgumentException when {@code authservId} is not printable ASCII: configuration, not mail
     */
    public static String field(String authservId, SpfResult spf, List<DkimResult> dkim, DmarcResult dmarc) {
        String id = value(authservId)
                .orElseThrow(() -> new IllegalArgumentException("authserv-id is not printable ASCII: " + authservId));
        List<List<String>> results = new ArrayList<>();
        results.add(result("spf", spf.status().token(), spf.reason(), property(spf.identity().property(), spf.domain())));
        if (dkim.isEmpty()) {
            results.add(List.of("dkim=none"));
        }
        for (DkimResult one : dkim) {
            results.add(result("dkim", one.status().token(), one.reason(), property("header.d", one.domain()),
                    property("header.s", one.selector()), property("header.i", one.identity())));
        }
        results.add(result("dmarc", dmarc.result().token(), dmarcComment(dmarc), property("header.from", dmarc.fromDomain())));
        FieldFolder field = new FieldFolder(FIELD_NAME + ":");
        field.add(id + ";", true);
        for (int i = 0; i < results.size(); i++) {
            List<String> tokens = results.get(i);
            for (int j = 0; j < tokens.size(); j++) {
                boolean endsResult = j == tokens.size() - 1 && i < results.size() - 1;
                field.add(tokens.get(j) + (endsResult ? ";" : ""), true);
            }
        }
        return field + "\r\n";
    }

    /** OpenDMARC's comment, the policy and what was done, when a policy applied; else the reason. */
    private static String dmarcComment(DmarcResult dmarc) {
        if (dmarc.policy() == null) {
            return dmarc.reason();
        }
        String subdomain = dmarc.applied() == dmarc.policy() ? "" : " sp=" + dmarc.applied().token();
        return "p=" + dmarc.policy().token() + subdomain + " dis=" + dmarc.disposition().token();
    }

    /** The tokens of one resinfo (section 2.2): method=result, the comment's words, the properties. */
    @SafeVarargs
    private static List<String> result(String method, String result, String reason, Optional<String>... properties) {
        List<String> tokens = new ArrayList<>();
        tokens.add(method + "=" + result);
        tokens.addAll(comment(reason));
        for (Optional<String> property : properties) {
            property.ifPresent(tokens::add);
        }
        return tokens;
    }

    /**
     * A comment as words, so the field may fold between them (FWS is allowed in a comment, RFC 5322
     * section 3.2.2). Characters that could end it, nest it, quote out of it or look like the end of a
     * result to a careless parser become harmless look-alikes; controls, CR and LF become spaces and
     * anything past ASCII a question mark.
     */
    static List<String> comment(String text) {
        if (text == null) {
            return List.of();
        }
        StringBuilder safe = new StringBuilder();
        for (int i = 0; i < Math.min(text.length(), MAX_COMMENT); i++) {
            char c = text.charAt(i);
            safe.append(switch (c) {
                case '(' -> '[';
                case ')' -> ']';
                case '\\' -> '/';
                case ';' -> ',';
                default -> c < 0x20 || c == 0x7f ? ' ' : c > 0x7e ? '?' : c;
            });
        }
        String words = safe.toString().strip() + (text.length() > MAX_COMMENT ? "..." : "");
        if (words.isEmpty()) {
            return List.of();
        }
        List<String> tokens = words(words);
        tokens.set(0, "(" + tokens.get(0));
        tokens.set(tokens.size() - 1, tokens.get(tokens.size() - 1) + ")");
        return tokens;
    }

    /** The words of a text, split at runs of spaces. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                if (i > start) {
                    words.add(text.substring(start, i));
                }
                start = i + 1;
            }
        }
        return words;
    }

    /**
     * {@code name=value}, or nothing when there is no value, it cannot be written faithfully in ASCII, or
     * it is longer than {@link #MAX_PROPERTY} (a stranger's i= of a thousand octets would make a line
     * longer than RFC 5322 section 2.1.1 allows).
     */
    private static Optional<String> property(String name, String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_PROPERTY) {
            return Optional.empty();
        }
        return isAddress(value) ? Optional.of(name + "=" + value) : value(value).map(written -> name + "=" + written);
    }

    /**
     * RFC 2045's value: a token as it is, else a quoted-string with its quote marks and backslashes
     * escaped (RFC 5322 section 3.2.4); nothing for a text with a control or a non-ASCII character,
     * which no quoted-string of an ASCII field can hold.
     */
    static Optional<String> value(String text) {
        boolean token = !text.isEmpty();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.empty();
            }
            token &= isTokenChar(c);
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (token) {
            return Optional.of(text);
        }
        return Optional.of('"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
    }

    /** RFC 8601 section 2.2's other pvalue: {@code [local-part] "@" domain-name}, with a dot-atom local-part. */
    private static boolean isAddress(String value) {
        int at = value.lastIndexOf('@');
        if (at < 0) {
            return false;
        }
        String local = value.substring(0, at);
        String domain = value.substring(at + 1);
        boolean dotAtom = local.isEmpty() || (!local.startsWith(".") && !local.endsWith(".") && !local.contains("..")
                && local.chars().allMatch(c -> c == '.' || isAlphaNumeric(c) || ATEXT_SPECIALS.indexOf(c) >= 0));
        return dotAtom && isDomainName(domain);
    }

    /** Letters, digits and hyphens in dot-separated labels: the A-label form every domain here is given in. */
    private static boolean isDomainName(String domain) {
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.startsWith("-") || label.endsWith("-")
                    || !label.chars().allMatch(c -> c == '-' || isAlphaNumeric(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlphaNumeric(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** RFC 2045 section 5.1: any printable ASCII character but SPACE and the tspecials. */
    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && TSPECIALS.indexOf(c) < 0;
    }

    // ---- reading

    /**
     * The authserv-id of a field value (RFC 8601 section 2.2): the first token or quoted-string after
     * optional CFWS, nested comments included; a version number may follow it. Empty when the value
     * starts with anything else, a comment or quoted-string does not end, or the quoted-string is empty.
     * One pass over the value, whatever its length and nesting.
     */
    public static Optional<String> authservId(String value) {
        int at = skipCfws(value);
        if (at < 0 || at == value.length()) {
            return Optional.empty();
        }
        if (value.charAt(at) == '"') {
            return quotedString(value, at + 1);
        }
        int end = at;
        while (end < value.length() && isTokenChar(value.charAt(end))) {
            end++;
        }
        return end == at ? Optional.empty() : Optional.of(value.substring(at, end));
    }

    /**
     * Whether a field value may claim {@code authservId} as its own, for the ingress to remove it from
     * arriving mail (section 5): its authserv-id compared case-insensitively, as host names are, and
     * without a root dot; and any field whose authserv-id cannot be read, since a laxer reader (one
     * without nested comments, or that trims other white space) may read ours in it, and a conforming
     * one ignores it anyway.
     */
    public static boolean claims(String value, String authservId) {
        return authservId(value).map(id -> withoutRootDot(id).equalsIgnoreCase(withoutRootDot(authservId))).orElse(true);
    }

    private static String withoutRootDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /** Where the leading white space and comments end; -1 when a comment does not (RFC 5322 section 3.2.2). */
    private static int skipCfws(String value) {
        int depth = 0;
        for (int at = 0; at < value.length(); at++) {
            char c = value.charAt(at);
            if (depth > 0 && c == '\\') {
                at++; // a quoted-pair: the next character is only itself
            } else if (c == '(') {
                depth++;
            } else if (depth > 0 && c == ')') {
                depth--;
            } else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return at;
            }
        }
        return depth > 0 ? -1 : value.length();
    }

    /** The content of a quoted-string whose opening quote is before {@code start}, its quoted-pairs undone. */
    private static Optional<String> quotedString(String value, int start) {
        StringBuilder content = new StringBuilder();
        for (int at = start; at < value.length(); at++) {
            char c = value.charAt(at);
            if (c == '"') {
                return content.isEmpty() ? Optional.empty() : Optional.of(content.toString());
            }
            if (c == '\\' && at + 1 < value.length()) {
                at++;
                c = value.charAt(at);
            }
            content.append(c);
        }
        return Optional.empty();
    }
}
