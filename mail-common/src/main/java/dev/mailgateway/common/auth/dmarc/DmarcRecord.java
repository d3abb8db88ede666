package dev.mailgateway.common.auth.dmarc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

import dev.mailgateway.common.auth.TagList;

/**
 * A DMARC policy record (RFC 7489 sections 6.3 and 6.4), the TXT record at
 * {@code _dmarc.<domain>}. Parsed as hostile input through {@link TagList},
 * which bounds its length and tag count; tag names are matched without
 * regard to case, and unknown tags are ignored (section 6.3). Only v= and
 * p= (with sp=, section 6.6.3 step 6) decide whether the record applies:
 * an invalid value of another tag is ignored and that tag's default used
 * instead (section 6.3: such values "MUST be ignored"). Report addresses
 * and options are validated and kept as given, for the reports this
 * gateway does not send yet.
 *
 * @param policy           p=
 * @param subdomainPolicy  sp=, p= when absent
 * @param dkimAlignment    adkim=, relaxed when absent or invalid
 * @param spfAlignment     aspf=, relaxed when absent or invalid
 * @param percent          pct=, 0 to 100, 100 when absent or invalid
 * @param failureOptions   fo=, "0" when absent or invalid
 * @param reportFormat     rf=, "afrf" when absent or invalid
 * @param reportInterval   ri=, in seconds, 86400 when absent or invalid (over 9 digits among them)
 * @param aggregateReports rua=, empty when absent
 * @param failureReports   ruf=, empty when absent
 */
public record DmarcRecord(
        DmarcPolicy policy,
        DmarcPolicy subdomainPolicy,
        Alignment dkimAlignment,
        Alignment spfAlignment,
        int percent,
        String failureOptions,
        String reportFormat,
        long reportInterval,
        String aggregateReports,
        String failureReports) {

    /** Section 6.3, pct=: a percentage. */
    static final int MAX_PERCENT = 100;
    /** Longest ri= in digits: section 6.4 allows any 1*DIGIT, an int of seconds is 68 years. */
    private static final int MAX_INTERVAL_DIGITS = 9;
    /** Section 6.3, ri=: one day. */
    private static final long DEFAULT_INTERVAL = 86_400;
    /**
     * Section 6.4, dmarc-version first: "v" *WSP "=" *WSP "DMARC1", then a separator or the end; the tag
     * name is an ABNF string, so case-insensitive, the version a %x string, so not.
     */
    private static final Pattern VERSION = Pattern.compile("[vV][ \t]*=[ \t]*DMARC1[ \t]*(;|$)");
    /** Section 6.4, dmarc-fo: one or more of 0, 1, d, s, colon-separated. */
    private static final Pattern FAILURE_OPTION = Pattern.compile("[01dsDS]");
    /** Section 6.4, dmarc-rfmt: Keyword *(":" Keyword), a keyword as RFC 5321 section 4.1.2 defines it. */
    private static final Pattern REPORT_FORMAT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    /** Section 6.4, dmarc-uri's size limit after the URI: "!" 1*DIGIT [ "k" / "m" / "g" / "t" ]. */
    private static final Pattern SIZE_LIMIT = Pattern.compile("![0-9]+[kmgtKMGT]?$");

    /**
     * Whether a TXT record is a DMARC record at all: one that does not start with v=DMARC1 is discarded
     * unread (section 6.6.3, steps 2 and 4).
     */
    static boolean isDmarcRecord(String txt) {
        return VERSION.matcher(txt).lookingAt();
    }

    /**
     * The record, for a text {@link #isDmarcRecord} accepts.
     *
     * @return empty when it has no valid p= (or an invalid sp=) and no valid rua=, so that DMARC does not
     *         apply (section 6.6.3 step 6.2); with a valid rua=, a record of p=none and nothing else (6.1)
     * @throws DmarcFormatException when it is not a tag list (RFC 6376 section 3.2), or names a tag twice
     */
    static Optional<DmarcRecord> parse(String txt) {
        Map<String, String> tags = byLowerCaseName(TagList.parse(txt, DmarcFormatException::new));
        String rua = tags.getOrDefault("rua", "");
        Optional<DmarcPolicy> policy = Optional.ofNullable(tags.get("p")).flatMap(DmarcPolicy::fromTag);
        Optional<DmarcPolicy> subdomainPolicy = Optional.ofNullable(tags.get("sp")).flatMap(DmarcPolicy::fromTag);
        if (policy.isEmpty() || subdomainPolicy.isEmpty() && tags.containsKey("sp")) {
            return hasReportUri(rua) ? Optional.of(reportOnly(rua)) : Optional.empty();
        }
        return Optional.of(new DmarcRecord(
                policy.get(),
                subdomainPolicy.orElse(policy.get()),
                valueOr(tags, "adkim", Alignment::fromTag, Alignment.RELAXED),
                valueOr(tags, "aspf", Alignment::fromTag, Alignment.RELAXED),
                valueOr(tags, "pct", DmarcRecord::percent, MAX_PERCENT),
                valueOr(tags, "fo", value -> colonList(value, FAILURE_OPTION), "0"),
                valueOr(tags, "rf", value -> colonList(value, REPORT_FORMAT), "afrf"),
                valueOr(tags, "ri", DmarcRecord::interval, DEFAULT_INTERVAL),
                rua,
                tags.getOrDefault("ruf", "")));
    }

    /**
     * The tags by lower-case name: section 6.4 writes the names as ABNF strings, which match without
     * regard to case. The same name in two cases is a tag given twice, as {@link TagList} has it.
     */
    private static Map<String, String> byLowerCaseName(TagList tags) {
        Map<String, String> byName = new HashMap<>();
        for (String name : tags.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (byName.putIfAbsent(lower, tags.get(name).orElseThrow()) != null) {
                throw new DmarcFormatException("Tag " + lower + "= given twice");
            }
        }
        return byName;
    }

    /** The tag's value as {@code parser} reads it; {@code otherwise} when absent or invalid (section 6.3). */
    private static <T> T valueOr(Map<String, String> tags, String name, Function<String, Optional<T>> parser, T otherwise) {
        String value = tags.get(name);
        return value == null ? otherwise : parser.apply(value).orElse(otherwise);
    }

    /** Section 6.6.3 step 6.1: "as if a record containing a valid "v" tag and "p=none" was retrieved". */
    private static DmarcRecord reportOnly(String rua) {
        return new DmarcRecord(DmarcPolicy.NONE, DmarcPolicy.NONE, Alignment.RELAXED, Alignment.RELAXED, MAX_PERCENT,
                "0", "afrf", DEFAULT_INTERVAL, rua, "");
    }

    /** pct=: 1*3DIGIT (section 6.4), and a percentage. */
    private static Optional<Integer> percent(String value) {
        if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) > MAX_PERCENT) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(value));
    }

    /** ri=: 1*DIGIT (section 6.4), of at most {@link #MAX_INTERVAL_DIGITS}. */
    private static Optional<Long> interval(String value) {
        if (!value.matches("[0-9]{1," + MAX_INTERVAL_DIGITS + "}")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(value));
    }

    /**
     * A colon-separated list, each item checked on its own: a regular expression repeating a group
     * recurses once per repetition in java.util.regex, and a long hostile list would overflow the stack.
     */
    private static Optional<String> colonList(String value, Pattern item) {
        for (String one : value.split(":", -1)) {
            if (!item.matcher(one.strip()).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of(value);
    }

    /**
     * Whether rua= has at least one syntactically valid report URI (section 6.6.3 step 6.1): a
     * comma-separated list of absolute URIs, each with an optional size limit (section 6.4).
     */
    static boolean hasReportUri(String rua) {
        for (String entry : rua.split(",")) {
            String uri = SIZE_LIMIT.matcher(entry.strip()).replaceFirst("");
            try {
                if (!uri.isEmpty() && new URI(uri).isAbsolute()) {
                    return true;
                }
            } catch (URISyntaxException e) {
                // this one is not; the next may be
            }
        }
        return false;
    }
}
