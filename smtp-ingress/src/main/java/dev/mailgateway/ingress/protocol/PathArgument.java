package dev.mailgateway.ingress.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.mailgateway.common.address.MailPath;

/**
 * The argument of MAIL and RCPT: {@code FROM:<path> [params]} or
 * {@code TO:<path> [params]} (RFC 5321 section 4.1.1.2 and 4.1.1.3). A space
 * after the colon is tolerated, as widely deployed clients send one.
 * Parameters are {@code keyword[=value]} (section 4.1.2), keywords upper-cased;
 * a keyword is ASCII letters, digits and hyphens, so none can carry a control
 * character. Values are left to {@link EsmtpParameters}.
 */
record PathArgument(String path, Map<String, String> params) {

    /** @return null when the argument does not have the form {@code prefix<path> params} */
    static PathArgument parse(String argument, String prefix) {
        if (argument.length() < prefix.length() || !argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = argument.substring(prefix.length()).stripLeading();
        if (!rest.startsWith("<")) {
            return null;
        }
        int close = MailPath.indexOutsideQuotes(rest, 1, '>');
        if (close < 0) {
            return null;
        }
        String path = rest.substring(0, close + 1);
        Map<String, String> params = new LinkedHashMap<>();
        String tail = rest.substring(close + 1);
        if (!tail.isEmpty() && !tail.startsWith(" ")) {
            return null;
        }
        // split at spaces only: any other character, a control character too, stays in its word to be judged
        for (String word : tail.split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            int eq = word.indexOf('=');
            String keyword = eq < 0 ? word : word.substring(0, eq);
            if (!isKeyword(keyword)) {
                return null;
            }
            keyword = keyword.toUpperCase(Locale.ROOT);
            if (params.containsKey(keyword)) {
                return null;
            }
            params.put(keyword, eq < 0 ? "" : word.substring(eq + 1));
        }
        return new PathArgument(path, params);
    }

    /** RFC 5321 section 4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean isKeyword(String word) {
        if (word.isEmpty() || word.charAt(0) == '-') {
            return false;
        }
        return word.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
}
