package dev.mailgateway.common.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Commands seen in one session, for the Postfix-style disconnect log line:
 * {@code ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6}.
 */
public final class CommandCounts {

    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private int total;

    public void count(String verb) {
        counts.merge(verb, 1, Integer::sum);
        total++;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        counts.forEach((verb, n) -> out.append(verb).append('=').append(n).append(' '));
        return out.append("commands=").append(total).toString();
    }
}
