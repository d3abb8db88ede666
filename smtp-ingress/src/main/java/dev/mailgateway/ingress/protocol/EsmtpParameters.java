package dev.mailgateway.ingress.protocol;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import dev.mailgateway.common.codec.Xtext;

/**
 * Checks and normalizes the ESMTP parameters that MAIL and RCPT accept:
 * SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET, ENVID, NOTIFY
 * and ORCPT (RFC 3461). Every value is matched against its grammar, in ASCII
 * only, so no control character, line break or look-alike letter is ever
 * kept. Pure: {@link #normalized} returns the value to keep, or null when the
 * value is malformed.
 */
final class EsmtpParameters {

    /** What MAIL takes: what EHLO announces (RFC 5321 section 4.1.1.11). */
    static final Set<String> MAIL = Set.of("SIZE", "BODY", "SMTPUTF8", "RET", "ENVID");
    /** What RCPT takes (RFC 3461 sections 4.1 and 4.2). */
    static final Set<String> RCPT = Set.of("NOTIFY", "ORCPT");

    /** RFC 3461 section 4.4: ENVID is at most 100 characters. */
    static final int MAX_ENVID = 100;
    /** RFC 3461 section 4.2: ORCPT is at most 500 characters. */
    static final int MAX_ORCPT = 500;
    /** RFC 1870 section 3: size-value is 1*20DIGIT. */
    static final int MAX_SIZE_DIGITS = 20;
    /** The most digits a long always holds: longer SIZE values are too big anyway. */
    private static final int LONG_DIGITS = 18;

    private EsmtpParameters() {
    }

    /** The value to keep of a MAIL or RCPT parameter, normalized; null when it is malformed. */
    static String normalized(String keyword, String value) {
        return switch (keyword) {
            case "SIZE" -> size(value);
            // RFC 6531 section 3.4: a keyword without a value
            case "SMTPUTF8" -> value.isEmpty() ? "" : null;
            case "BODY" -> oneOf(value, "7BIT", "8BITMIME");
            case "RET" -> oneOf(value, "FULL", "HDRS");
            case "ENVID" -> value.length() <= MAX_ENVID && Xtext.isPrintable(value) ? value : null;
            case "NOTIFY" -> notify(value);
            case "ORCPT" -> orcpt(value);
            default -> null;
        };
    }

    /** Decimal digits without leading zeros; a number past what a long holds as Long.MAX_VALUE. */
    private static String size(String value) {
        if (value.isEmpty() || value.length() > MAX_SIZE_DIGITS || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        String digits = value.replaceFirst("^0+(?=.)", "");
        return digits.length() > LONG_DIGITS ? String.valueOf(Long.MAX_VALUE) : digits;
    }

    private static String oneOf(String value, String first, String second) {
        String upper = asciiUpperCase(value);
        return first.equals(upper) || second.equals(upper) ? upper : null;
    }

    /** NEVER alone, or a list of SUCCESS, FAILURE and DELAY, each once (RFC 3461 section 4.1). */
    private static String notify(String value) {
        String upper = asciiUpperCase(value);
        if (upper == null || upper.equals("NEVER")) {
            return upper;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String word : upper.split(",", -1)) {
            if (!(word.equals("SUCCESS") || word.equals("FAILURE") || word.equals("DELAY")) || !seen.add(word)) {
                return null;
            }
        }
        return String.join(",", seen);
    }

    /** {@code addr-type ";" xtext} (RFC 3461 section 4.2), e.g. {@code rfc822;alice+40example.org}. */
    private static String orcpt(String value) {
        int semicolon = value.indexOf(';');
        if (value.length() > MAX_ORCPT || semicolon <= 0 || semicolon == value.length() - 1) {
            return null;
        }
        String type = value.substring(0, semicolon);
        boolean atom = type.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-');
        return atom && Xtext.isPrintable(value.substring(semicolon + 1)) ? value : null;
    }

    /** Upper case for plain ASCII only, else null: a keyword never matches by Unicode case folding ("ı" is no "i"). */
    private static String asciiUpperCase(String value) {
        return isAscii(value) ? value.toUpperCase(Locale.ROOT) : null;
    }

    /** Plain ASCII: as a parameter value must be, and an address without SMTPUTF8 on MAIL (RFC 6531 section 3.4). */
    static boolean isAscii(String text) {
        return text.chars().allMatch(c -> c < 128);
    }
}
