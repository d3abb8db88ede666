package dev.mailgateway.common.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * RFC 3461 section 4's xtext, the encoding of the DSN parameters ENVID and ORCPT's address: printable
 * ASCII but "+" and "=", any octet written as "+" and two upper-case hex digits. The ingress checks a
 * value with {@link #isPrintable} before it keeps it; the worker passes it on to the next hop as it was
 * received, and {@link #decode}s it for the text of a delivery report.
 */
public final class Xtext {

    private Xtext() {
    }

    /**
     * Well-formed xtext whose octets are all printable ASCII too, as sections 4.2 (ORCPT's address) and
     * 4.4 (ENVID) require: "+0D+0A" would put a line break into the report that echoes it.
     */
    public static boolean isPrintable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+') {
                if (i + 2 >= value.length() || !isUpperHex(value.charAt(i + 1)) || !isUpperHex(value.charAt(i + 2))) {
                    return false;
                }
                int octet = Integer.parseInt(value, i + 1, i + 3, 16);
                if (octet < 0x20 || octet > 0x7e) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return true;
    }

    /**
     * The text an xtext value encodes, its octets read as UTF-8. Lenient, for values stored before they
     * were checked: a "+" without two hex digits after it stands for itself, and lower-case hex is read.
     */
    public static String decode(String xtext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(xtext.length());
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+' && i + 2 < xtext.length() && isHex(xtext.charAt(i + 1)) && isHex(xtext.charAt(i + 2))) {
                out.write(Integer.parseInt(xtext, i + 1, i + 3, 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
