package dev.mailgateway.common.auth.spf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.util.NetUtil;

import dev.mailgateway.common.auth.spf.SpfRecord.Directive;
import dev.mailgateway.common.auth.spf.SpfRecord.Mechanism;
import dev.mailgateway.common.auth.spf.SpfRecord.Qualifier;

/**
 * Parses an SPF record's text (RFC 7208 sections 4.5, 4.6.1 and 12) into
 * an {@link SpfRecord}: every term is checked before any is evaluated, so a
 * syntax error anywhere is a permerror (section 4.6) however early a
 * mechanism would match. Pure and bounded: the record's length and its
 * number of terms are capped before any work per term.
 */
final class SpfRecordParser {

    /** The version section 4.5 selects records by, compared without regard to case. */
    static final String VERSION = "v=spf1";
    /**
     * Longest record text parsed. RFC 7208 sets none, but section 3.4 asks for records that fit a
     * 512-octet UDP answer; the largest records in use are a few times that. Longer is a permerror.
     */
    static final int MAX_RECORD_OCTETS = 4096;
    /** Most terms in one record: more than any real one (ip4 lists included) and a bound on the work. */
    static final int MAX_TERMS = 256;
    /** Section 4.6.1: name "=" macro-string; anything else is a directive. */
    private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
    /** Section 5: mechanism name, then ":" with an argument or "/" with a CIDR length, or nothing. */
    private static final Pattern DIRECTIVE = Pattern.compile("([+?~-]?)([A-Za-z][A-Za-z0-9_.-]*)(?:([:/])(.*))?");
    /** Section 5.6 ip4-cidr-length / ip6-cidr-length: no leading zero. */
    private static final Pattern CIDR = Pattern.compile("(.*?)/(0|[1-9][0-9]{0,2})");
    /** Section 5.6 dual-cidr-length's IPv6 half. */
    private static final Pattern DUAL_CIDR = Pattern.compile("(.*?)//(0|[1-9][0-9]{0,2})");
    /** Section 5.6 ip4-network: four qnums, no leading zero. */
    private static final Pattern IP4 = Pattern.compile("((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");
    /** Section 5.6 ip6-network (RFC 4291 section 2.2): hex digits, colons and an optional dotted quad; no zone, no brackets. */
    private static final Pattern IP6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private SpfRecordParser() {
    }

    /** Whether a TXT record's text is an SPF record (section 4.5): "v=spf1" alone or followed by a space. */
    static boolean isSpfRecord(String text) {
        return text.regionMatches(true, 0, VERSION, 0, VERSION.length())
                && (text.length() == VERSION.length() || text.charAt(VERSION.length()) == ' ');
    }

    /**
     * @param text a record {@link #isSpfRecord} accepted
     * @throws SpfException a permerror, naming the first bad term
     */
    static SpfRecord parse(String text) throws SpfException {
        if (text.length() > MAX_RECORD_OCTETS) {
            throw SpfException.permerror("record over " + MAX_RECORD_OCTETS + " octets");
        }
        List<Directive> directives = new ArrayList<>();
        String redirect = null;
        String explanation = null;
        int terms = 0;
        // section 12: terms are separated by one or more spaces, nothing else
        for (String term : text.substring(VERSION.length()).split(" ")) {
            if (term.isEmpty()) {
                continue;
            }
            if (++terms > MAX_TERMS) {
                throw SpfException.permerror("record of over " + MAX_TERMS + " terms");
            }
            Matcher modifier = MODIFIER.matcher(term);
            if (!modifier.matches()) {
                directives.add(directive(term));
                continue;
            }
            String name = modifier.group(1).toLowerCase(Locale.ROOT);
            String value = modifier.group(2);
            switch (name) {
                case "redirect" -> {
                    if (redirect != null) {
                        throw SpfException.permerror("redirect= twice, RFC 7208 6");
                    }
                    MacroExpander.checkDomainSpec(value);
                    redirect = value;
                }
                case "exp" -> {
                    if (explanation != null) {
                        throw SpfException.permerror("exp= twice, RFC 7208 6");
                    }
                    MacroExpander.checkDomainSpec(value);
                    explanation = value;
                }
                // section 6: unknown modifiers are ignored, but their value must still be a macro-string
                default -> MacroExpander.checkMacroString(value);
            }
        }
        return new SpfRecord(directives, redirect, explanation);
    }

    private static Directive directive(String term) throws SpfException {
        Matcher parts = DIRECTIVE.matcher(term);
        if (!parts.matches()) {
            throw SpfException.permerror("not a mechanism: " + term);
        }
        Qualifier qualifier = qualifier(parts.group(1));
        String name = parts.group(2).toLowerCase(Locale.ROOT);
        String separator = parts.group(3);
        String rest = separator == null ? null : separator.equals("/") ? "/" + parts.group(4) : parts.group(4);
        boolean argument = ":".equals(separator);
        return switch (name) {
            case "all" -> {
                requireNone(rest, term);
                yield new Directive(term, qualifier, Mechanism.ALL, null, 32, 128, null);
            }
            case "include", "exists" -> {
                if (!argument) {
                    throw SpfException.permerror(name + " without a domain: " + term);
                }
                MacroExpander.checkDomainSpec(rest);
                yield new Directive(term, qualifier, name.equals("include") ? Mechanism.INCLUDE : Mechanism.EXISTS, rest, 32, 128, null);
            }
            case "ptr" -> {
                if (rest != null && !argument) {
                    throw SpfException.permerror("ptr takes no CIDR length: " + term);
                }
                if (argument) {
                    MacroExpander.checkDomainSpec(rest);
                }
                yield new Directive(term, qualifier, Mechanism.PTR, rest, 32, 128, null);
            }
            case "a", "mx" -> hostDirective(term, qualifier, name.equals("a") ? Mechanism.A : Mechanism.MX, rest, argument);
            case "ip4", "ip6" -> networkDirective(term, qualifier, name.equals("ip4"), rest, argument);
            default -> throw SpfException.permerror("unknown mechanism: " + term);
        };
    }

    private static Qualifier qualifier(String symbol) {
        for (Qualifier qualifier : Qualifier.values()) {
            if (symbol.length() == 1 && symbol.charAt(0) == qualifier.symbol) {
                return qualifier;
            }
        }
        return Qualifier.PASS; // section 4.6.2: no qualifier is "+"
    }

    private static void requireNone(String rest, String term) throws SpfException {
        if (rest != null) {
            throw SpfException.permerror("all takes no argument: " + term);
        }
    }

    /** a and mx: [":" domain-spec] [dual-cidr-length] (sections 5.3, 5.4). */
    private static Directive hostDirective(String term, Qualifier qualifier, Mechanism mechanism, String rest, boolean argument)
            throws SpfException {
        String spec = rest == null ? "" : rest;
        int ip6 = 128;
        Matcher dual = DUAL_CIDR.matcher(spec);
        if (dual.matches()) {
            ip6 = prefix(dual.group(2), 128, term);
            spec = dual.group(1);
        }
        int ip4 = 32;
        Matcher single = CIDR.matcher(spec);
        if (single.matches()) {
            ip4 = prefix(single.group(2), 32, term);
            spec = single.group(1);
        }
        if (!argument) {
            if (!spec.isEmpty()) {
                throw SpfException.permerror("bad CIDR length: " + term);
            }
            return new Directive(term, qualifier, mechanism, null, ip4, ip6, null);
        }
        MacroExpander.checkDomainSpec(spec);
        return new Directive(term, qualifier, mechanism, spec, ip4, ip6, null);
    }

    /** ip4 and ip6: ":" network ["/" length] (section 5.6); a dual length is a syntax error. */
    private static Directive networkDirective(String term, Qualifier qualifier, boolean ip4, String rest, boolean argument)
            throws SpfException {
        if (!argument) {
            throw SpfException.permerror("no network: " + term);
        }
        String network = rest;
        int max = ip4 ? 32 : 128;
        int length = max;
        Matcher cidr = CIDR.matcher(rest);
        if (cidr.matches()) {
            length = prefix(cidr.group(2), max, term);
            network = cidr.group(1);
        }
        boolean valid = ip4 ? IP4.matcher(network).matches()
                : IP6.matcher(network).matches() && network.indexOf(':') >= 0 && NetUtil.isValidIpV6Address(network);
        byte[] octets = valid ? NetUtil.createByteArrayFromIpAddressString(network) : null;
        if (octets == null || octets.length != (ip4 ? 4 : 16)) {
            throw SpfException.permerror("bad network: " + term);
        }
        return new Directive(term, qualifier, ip4 ? Mechanism.IP4 : Mechanism.IP6, null, ip4 ? length : 32, ip4 ? 128 : length, octets);
    }

    private static int prefix(String digits, int max, String term) throws SpfException {
        int value = Integer.parseInt(digits);
        if (value > max) {
            throw SpfException.permerror("CIDR length over " + max + ": " + term);
        }
        return value;
    }
}
