package dev.mailgateway.ingress.protocol;

import java.util.List;

/**
 * One SMTP reply (RFC 5321 section 4.2): a code, an enhanced status code
 * (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034) and text lines.
 */
public record SmtpReply(int code, String enhanced, List<String> lines) {

    public SmtpReply {
        lines = List.copyOf(lines);
    }

    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, List.of(text));
    }

    /** The same code and enhanced code with other text, e.g. naming the address. */
    public SmtpReply withText(String text) {
        return of(code, enhanced, text);
    }

    public boolean isPositive() {
        return code < 400;
    }

    /** The wire form: {@code code-text} for every line but the last, {@code code text} last, each ending in CRLF. */
    public String wire() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            out.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhanced != null) {
                out.append(enhanced).append(' ');
            }
            out.append(lines.get(i)).append("\r\n");
        }
        return out.toString();
    }
}
