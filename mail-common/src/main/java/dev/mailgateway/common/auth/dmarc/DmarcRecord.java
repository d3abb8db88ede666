package dev.mailgateway.common.auth.dmarc;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.mailgateway.common.auth.TagList;

/**
 * A DMARC policy record (RFC 7489 sections 6.3 and 6.4), the TXT record at
 * {@code _dmarc.<domain>}. Parsed as hostile input through {@link TagList},
 * which bounds its length and tag count; unknown tags are ignored
 * (section 6.3). Report addresses and options are validated and kept as
 * given, for the reports this gateway does not send yet.
 *
 * @param policy           p=
 * @param subdomainPolicy  sp=, p= when absent
 * @param dkimAlignment    adkim=, relaxed when absent
 * @param spfAlignment     aspf=, relaxed when absent
 * @param percent          pct=, 0 to 100, 100 when absent
 * @param failureOptions   fo=, "0" when absent
 * @param reportFormat     rf=, "afrf" when absent
 * @param reportInterval   ri=, in seconds, 86400 when absent
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
    /** Section 6.4, dmarc-version first: "v" *WSP "=" *WSP "DMARC1", then a separator or the end. */
    private static final Pattern VERSION = Pattern.compile("v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)");
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
     * @throws DmarcFormatException when it does not parse or a tag other than p= and sp= has an invalid value
     */
    static Optional<DmarcRecord> parse(String txt) {
        TagList tags = TagList.parse(txt, DmarcFormatException::new);
        String rua = tags.get("rua").orElse("");
        Optional<DmarcPolicy> policy = tags.get("p").flatMap(DmarcPolicy::fromTag);
        Optional<DmarcPolicy> subdomainPolicy = tags.get("sp").flatMap(DmarcPolicy::fromTag);
        if (policy.isEmpty() || subdomainPolicy.isEmpty() && tags.get("sp").isPresent()) {
            return hasReportUri(rua) ? Optional.of(reportOnly(rua)) : Optional.empty();
        }
        return Optional.of(new DmarcRecord(
                policy.get(),
                subdomainPolicy.orElse(policy.get()),
                alignment(tags, "adkim"),
                alignment(tags, "aspf"),
                percent(tags),
                colonList(tags, "fo", FAILURE_OPTION, "0"),
                colonList(tags, "rf", REPORT_FORMAT, "afrf"),
                interval(tags),
                rua,
                tags.get("ruf").orElse("")));
    }

    /** Section 6.6.3 step 6.1: "as if a record containing a valid "v" tag and "p=none" was retrieved". */
    private static DmarcRecord reportOnly(String rua) {
        return new DmarcRecord(DmarcPolicy.NONE, DmarcPolicy.NONE, Alignment.RELAXED, Alignment.RELAXED, MAX_PERCENT,
                "0", "afrf", DEFAULT_INTERVAL, rua, "");
    }

    private static Alignment alignment(TagList tags, String name) {
        return tags.get(name)
                .map(value -> Alignment.fromTag(value).orElseThrow(() -> new DmarcFormatException("Tag " + name + "= is not r or s")))
                .orElse(Alignment.RELAXED);
    }

    private static int percent(TagList tags) {
        return tags.get("pct").map(value -> {
            // 1*3DIGIT (section 6.4), and a percentage
            if (!value.matches("[0-9]{1,3}") || Integer.parseInt(value) > MAX_PERCENT) {
                throw new DmarcFormatException("Tag pct= is not a number from 0 to " + MAX_PERCENT);
            }
            return Integer.parseInt(value);
        }).orElse(MAX_PERCENT);
    }

    private static long interval(TagList tags) {
        return tags.get("ri").map(value -> {
            if (!value.matches("[0-9]{1," + MAX_INTERVAL_DIGITS + "}")) {
                throw new DmarcFormatException("Tag ri= is not a number of at most " + MAX_INTERVAL_DIGITS + " digits");
            }
            return Long.parseLong(value);
        }).orElse(DEFAULT_INTERVAL);
    }

    /**
     * A colon-separated list, each item checked on its own: a regular expression repeating a group
     * recurses once per repetition in java.util.regex, and a long hostile list would overflow the stack.
     */
    private static String colonList(TagList tags, String name, Pattern item, String otherwise) {
        return tags.get(name).map(value -> {
            for (String one : value.split(":", -1)) {
                if (!item.matcher(one.strip()).matches()) {
                    throw new DmarcFormatException("Tag " + name + "= is malformed");
                }
            }
            return value;
        }).orElse(otherwise);
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
