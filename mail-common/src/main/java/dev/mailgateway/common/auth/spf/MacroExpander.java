package dev.mailgateway.common.auth.spf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Checks and expands the macro-strings of domain-specs (RFC 7208 section
 * 7): {@code %{s} %{l} %{o} %{d} %{i} %{p} %{v} %{h}} with a right-part
 * count, {@code r} (reverse) and delimiters; upper-case letters
 * URL-escaped; {@code %%}, {@code %_} and {@code %-}. The letters
 * {@code c}, {@code r} and {@code t} belong to explanation strings only,
 * which this gateway does not fetch, so here they are errors. Pure: every
 * malformed input is an {@link SpfException} permerror.
 */
final class MacroExpander {

    /** Section 7.3: an expansion used as a name is cut from the left, label by label, to 253 characters. */
    static final int MAX_DOMAIN = 253;
    /**
     * Longest expansion built, 8 KiB; a longer one is a permerror instead of section 7.3's cut. Not an RFC
     * limit but a bound on hostile records: a record of a few thousand octets could otherwise build
     * megabytes ({@code %{s}} repeated, upper-case letters tripling it) only to cut all but 253 of them.
     * Honest expansions, even of a 253-octet name several times over, stay far below it.
     */
    static final int MAX_EXPANSION = 8 * 1024;
    /** Letters allowed in a domain-spec (section 7.2; c, r and t are for exp= text only). */
    private static final String LETTERS = "slodiphv";
    private static final String DELIMITERS = ".-+,/_=";

    /**
     * One piece of a macro-string: literal text (letter 0), an escape standing for {@code text}
     * (letter '%': "%%", "%_", "%-"), or a macro letter with its transformers.
     */
    private record Token(String text, char letter, int parts, boolean reverse, String delimiters) {

        static Token literal(String text) {
            return new Token(text, '\0', 0, false, null);
        }

        boolean isLiteral() {
            return letter == '\0';
        }

        boolean isMacro() {
            return letter != '\0' && letter != '%';
        }
    }

    private MacroExpander() {
    }

    /** Checks a domain-spec's syntax (section 7.1, with its domain-end rule), as the parser must before evaluation. */
    static void checkDomainSpec(String spec) throws SpfException {
        List<Token> tokens = tokens(spec);
        if (tokens.isEmpty()) {
            throw SpfException.permerror("empty domain-spec");
        }
        Token last = tokens.get(tokens.size() - 1);
        if (last.isLiteral() && !endsInTopLabel(last.text())) {
            throw SpfException.permerror("domain-spec does not end in a top label: " + spec);
        }
    }

    /**
     * Section 7.1 domain-end for a spec ending in literal text: "." toplabel ["."]. One pass over the
     * last label, no regular expression: the text comes from strangers' records and is checked on the
     * event loop, where a backtracking pattern would take time quadratic in its length.
     */
    private static boolean endsInTopLabel(String text) {
        int end = text.endsWith(".") ? text.length() - 1 : text.length();
        int dot = text.lastIndexOf('.', end - 1);
        return dot >= 0 && isTopLabel(text, dot + 1, end);
    }

    /** toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ). */
    private static boolean isTopLabel(String text, int start, int end) {
        if (start >= end) {
            return false;
        }
        boolean alpha = false;
        boolean hyphen = false;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '-') {
                hyphen = true;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                alpha = true;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        // with a hyphen the second form: it neither starts nor ends the label; without, the first: a letter somewhere
        return hyphen ? text.charAt(start) != '-' && text.charAt(end - 1) != '-' : alpha;
    }

    /** Checks a macro-string's syntax (an unknown modifier's value must be one, section 4.6.1). */
    static void checkMacroString(String text) throws SpfException {
        tokens(text);
    }

    /** Whether expanding {@code spec} needs the validated host name of the client ({@code %{p}}). */
    static boolean needsValidatedName(String spec) {
        for (int at = spec.indexOf("%{"); at >= 0; at = spec.indexOf("%{", at + 2)) {
            if (at + 2 < spec.length() && Character.toLowerCase(spec.charAt(at + 2)) == 'p' && !escaped(spec, at)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the '%' at {@code at} is the second of a "%%" pair. */
    private static boolean escaped(String text, int at) {
        int percents = 0;
        for (int i = at - 1; i >= 0 && text.charAt(i) == '%'; i--) {
            percents++;
        }
        return percents % 2 == 1;
    }

    /**
     * The name {@code spec} stands for: expanded, a trailing dot dropped, and cut from the left
     * label by label to {@link #MAX_DOMAIN} characters (section 7.3), whatever its length up to
     * {@link #MAX_EXPANSION}.
     */
    static String expandDomain(String spec, MacroValues values) throws SpfException {
        String name = expand(spec, values);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.length() <= MAX_DOMAIN) {
            return name;
        }
        // the first dot whose suffix fits: removing successive labels would stop right after it
        int dot = name.indexOf('.', name.length() - MAX_DOMAIN - 1);
        if (dot < 0) {
            throw SpfException.permerror("expanded name over " + MAX_DOMAIN + " characters without a dot to cut at");
        }
        return name.substring(dot + 1);
    }

    /** The macro-string with its macros replaced (section 7.3); a permerror past {@link #MAX_EXPANSION}. */
    static String expand(String text, MacroValues values) throws SpfException {
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (Token token : tokens(text)) {
            out.append(token.isMacro() ? macro(token, values) : token.text());
            if (out.length() > MAX_EXPANSION) {
                throw SpfException.permerror("macro expansion over " + MAX_EXPANSION + " characters");
            }
        }
        return out.toString();
    }

    private static String macro(Token token, MacroValues values) {
        char letter = Character.toLowerCase(token.letter());
        String value = switch (letter) {
            case 's' -> values.sender();
            case 'l' -> values.localPart();
            case 'o' -> values.senderDomain();
            case 'd' -> values.domain();
            case 'i' -> values.ip();
            case 'p' -> values.validatedName() == null ? "unknown" : values.validatedName();
            case 'v' -> values.version();
            default -> values.helo(); // 'h': tokens() admits no other letter
        };
        List<String> parts = split(value, token.delimiters());
        if (token.reverse()) {
            Collections.reverse(parts);
        }
        if (token.parts() < parts.size()) {
            parts = parts.subList(parts.size() - token.parts(), parts.size());
        }
        String joined = String.join(".", parts);
        return Character.isUpperCase(token.letter()) ? urlEscape(joined) : joined;
    }

    /** Parts between any of the delimiter characters, empty parts kept. */
    private static List<String> split(String value, String delimiters) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < value.length(); i++) {
            if (delimiters.indexOf(value.charAt(i)) >= 0) {
                parts.add(value.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(value.substring(start));
        return parts;
    }

    /** RFC 3986 section 2.1: every octet outside the unreserved set as %XX. */
    private static String urlEscape(String text) {
        StringBuilder out = new StringBuilder(text.length() * 3);
        for (byte octet : text.getBytes(StandardCharsets.UTF_8)) {
            int c = octet & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Section 7.1's grammar: macro-literal is visible ASCII but '%'; macro-expand as above. */
    private static List<Token> tokens(String text) throws SpfException {
        List<Token> tokens = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int at = 0;
        // section 7.1: "%%", "%_" and "%-" are macro-expands, so a domain-spec may end with one
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c < 0x21 || c > 0x7e) {
                throw SpfException.permerror("character " + (int) c + " in a macro-string");
            }
            if (c != '%') {
                literal.append(c);
                at++;
                continue;
            }
            char next = at + 1 < text.length() ? text.charAt(at + 1) : 0;
            flush(literal, tokens);
            if (next == '{') {
                int close = text.indexOf('}', at);
                if (close < 0) {
                    throw SpfException.permerror("macro without '}'");
                }
                tokens.add(macroToken(text.substring(at + 2, close)));
                at = close + 1;
                continue;
            }
            String stands = switch (next) {
                case '%' -> "%";
                case '_' -> " ";
                case '-' -> "%20";
                default -> throw SpfException.permerror("'%' not followed by '{', '%', '_' or '-'");
            };
            tokens.add(new Token(stands, '%', 0, false, null));
            at += 2;
        }
        flush(literal, tokens);
        return tokens;
    }

    private static void flush(StringBuilder literal, List<Token> tokens) {
        if (literal.length() > 0) {
            tokens.add(Token.literal(literal.toString()));
            literal.setLength(0);
        }
    }

    /** letter *DIGIT ["r"] *delimiter (section 7.1). */
    private static Token macroToken(String body) throws SpfException {
        if (body.isEmpty() || LETTERS.indexOf(Character.toLowerCase(body.charAt(0))) < 0) {
            throw SpfException.permerror("unknown macro letter in %{" + body + "}");
        }
        int at = 1;
        long parts = 0;
        // ASCII digits only: Character.isDigit would take other scripts' digits too
        while (at < body.length() && body.charAt(at) >= '0' && body.charAt(at) <= '9') {
            parts = Math.min(parts * 10 + (body.charAt(at) - '0'), Integer.MAX_VALUE);
            at++;
        }
        boolean counted = at > 1;
        if (counted && parts == 0) {
            throw SpfException.permerror("a right-part count of 0 in %{" + body + "}, RFC 7208 7.3");
        }
        boolean reverse = at < body.length() && Character.toLowerCase(body.charAt(at)) == 'r';
        if (reverse) {
            at++;
        }
        String delimiters = body.substring(at);
        for (char c : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(c) < 0) {
                throw SpfException.permerror("bad delimiter in %{" + body + "}");
            }
        }
        // section 7.3: no count, or one over the parts there are, takes every part
        int count = counted ? (int) parts : Integer.MAX_VALUE;
        return new Token(null, body.charAt(0), count, reverse, delimiters.isEmpty() ? "." : delimiters);
    }
}
