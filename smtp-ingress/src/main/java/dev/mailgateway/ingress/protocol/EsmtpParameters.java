package dev.mailgateway.ingress.protocol;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Checks and normalizes the ESMTP parameters that MAIL and RCPT accept:
 * SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), RET, ENVID, NOTIFY
 * and ORCPT (RFC 3461). Pure: each method returns the value to keep, or null
 * when the value is malformed.
 */
final class EsmtpParameters {

    /** RFC 3461 section 4.4: ENVID is at most 100 characters. */
    static final int MAX_ENVID = 100;
    /** RFC 3461 section 4.2: ORCPT is at most 500 characters. */
    static final int MAX_ORCPT = 500;

    private EsmtpParameters() {
    }

    static String body(String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        return upper.equals("7BIT") || upper.equals("8BITMIME") ? upper : null;
    }

    static String ret(String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        return upper.equals("FULL") || upper.equals("HDRS") ? upper : null;
    }

    static String envid(String value) {
        return value.length() <= MAX_ENVID && isXtext(value) ? value : null;
    }

    /** NEVER alone, or a list of SUCCESS, FAILURE and DELAY, each once (RFC 3461 section 4.1). */
    static String notify(String value) {
        String upper = value.toUpperCase(Locale.ROOT);
        if (upper.equals("NEVER")) {
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
    static String orcpt(String value) {
        int semicolon = value.indexOf(';');
        if (value.length() > MAX_ORCPT || semicolon <= 0 || semicolon == value.length() - 1) {
            return null;
        }
        String type = value.substring(0, semicolon);
        boolean atom = type.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-');
        return atom && isXtext(value.substring(semicolon + 1)) ? value : null;
    }

    /** RFC 3461 section 4: printable ASCII but "+" and "=", which appear only as "+" and two upper-case hex digits. */
    static boolean isXtext(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length() || !isUpperHex(value.charAt(i + 1)) || !isUpperHex(value.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    /** RFC 6531 section 3.4: a non-ASCII address needs SMTPUTF8 on the MAIL command. */
    static boolean isAscii(String address) {
        return address.chars().allMatch(c -> c < 128);
    }
}
