package dev.mailgateway.common.testing;

import java.net.IDN;
import java.util.Random;

/**
 * Seeded random paths for the address model's property tests: dot-strings and
 * quoted local parts with spaces, backslash pairs, dots, mixed case and
 * non-ASCII text (U+0130 and the Kelvin sign, which change length when
 * lower-cased; a character outside the BMP), and domains of ASCII labels,
 * U-labels, A-labels (valid, upper-case, broken), labels around 63 octets,
 * literals and the odd control character. Many are refused; the rest are
 * what the properties speak about.
 */
public final class AddressInput {

    private static final String[] LOCAL_PIECES = {"a", "Z", "0", "john", "Doe", "+", "-", "_", "=", "!", "#", "~", "'", "{", "\u00e9", "\u00c9",
        "\u0130", "\u212a", "\u00df", "\u03a3", "\u4e2d", "\ud83d\ude00", "\u0307", ".", "postmaster"};
    private static final String[] QUOTED_PIECES = {" ", "a", "B", "@", "\\\"", "\\\\", ",", ":", ".", "..", "\u00e9", "\u0130", "<", ">", "\u4e2d"};
    private static final String[] U_LABEL_PIECES = {"b\u00fccher", "M\u00dcNCHEN", "\u00e9", "\u0130", "\u4e2d\u6587", "caf\u00e9", "xn--",
        "\u00df", "\u03c2", "\u2665", "\uff41"};
    private static final String[] HOSTILE = {"\r", "\n", "\u0085", "\t", " ", "[", "]", "\"", "@", "..", "-", ""};

    private AddressInput() {
    }

    /** A path as a client might send it after MAIL FROM: or RCPT TO:, angle brackets included. */
    public static String path(Random random) {
        String route = random.nextInt(20) == 0 ? "@" + label(random) + ".example:" : "";
        return "<" + route + localPart(random) + "@" + domain(random) + ">";
    }

    private static String localPart(Random random) {
        StringBuilder local = new StringBuilder();
        if (random.nextInt(4) == 0) {
            local.append('"');
            for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
                local.append(QUOTED_PIECES[random.nextInt(QUOTED_PIECES.length)]);
            }
            local.append('"');
        } else {
            for (int i = 0, n = 1 + random.nextInt(random.nextInt(8) == 0 ? 40 : 10); i < n; i++) {
                local.append(LOCAL_PIECES[random.nextInt(LOCAL_PIECES.length)]);
            }
        }
        maybeHostile(random, local);
        return local.toString();
    }

    private static String domain(Random random) {
        if (random.nextInt(30) == 0) {
            return random.nextBoolean() ? "[192.0.2." + random.nextInt(256) + "]" : "[IPv6:2001:db8::" + random.nextInt(99) + "]";
        }
        StringBuilder domain = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(random.nextInt(6) == 0 ? 6 : 3); i < n; i++) {
            domain.append(i == 0 ? "" : ".").append(label(random));
        }
        maybeHostile(random, domain);
        return domain.toString();
    }

    private static String label(Random random) {
        switch (random.nextInt(7)) {
            case 0: {
                // near the 63-octet limit, before or after conversion
                String base = random.nextBoolean() ? "a" : "\u00e9";
                return "x".repeat(40 + random.nextInt(20)) + base.repeat(1 + random.nextInt(8));
            }
            case 1: {
                StringBuilder u = new StringBuilder();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    u.append(U_LABEL_PIECES[random.nextInt(U_LABEL_PIECES.length)]);
                }
                return u.toString();
            }
            case 2: {
                // an A-label made by the JDK, maybe upper-cased, maybe broken by one character
                String a;
                try {
                    a = IDN.toASCII("d\u00e9" + "\u4e2d".repeat(random.nextInt(3)) + random.nextInt(1000));
                } catch (IllegalArgumentException e) {
                    return "xn--";
                }
                if (random.nextBoolean()) {
                    a = a.toUpperCase(java.util.Locale.ROOT);
                }
                return random.nextInt(3) == 0 ? a.substring(0, a.length() - 1) + "9" : a;
            }
            case 3:
                return "xn--" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
            default: {
                StringBuilder ascii = new StringBuilder();
                for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
                    char c = (char) ('a' + random.nextInt(26));
                    ascii.append(random.nextInt(4) == 0 ? Character.toUpperCase(c) : c);
                }
                return ascii.toString();
            }
        }
    }

    private static void maybeHostile(Random random, StringBuilder text) {
        if (random.nextInt(15) == 0) {
            text.insert(random.nextInt(text.length() + 1), HOSTILE[random.nextInt(HOSTILE.length)]);
        }
    }
}
