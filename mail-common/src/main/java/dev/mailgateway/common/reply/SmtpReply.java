package dev.mailgateway.common.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply (RFC 5321 section 4.2): a code, an enhanced status code
 * (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034) and text lines.
 * The server writes it with {@link #wire()}; the relay client reads it back
 * with a {@link Reader}, so both sides agree on one grammar.
 */
public record SmtpReply(int code, String enhanced, List<String> lines) {

    /** RFC 5321 section 4.5.3.1.5: a reply line is at most 512 octets; peers send longer, so allow some room. */
    public static final int MAX_LINE_LENGTH = 4096;
    /** A reply of more lines than any EHLO answer has is a broken or hostile peer. */
    public static final int MAX_LINES = 100;

    private static final Pattern LINE = Pattern.compile("([2-5][0-9][0-9])([ -])(.*)", Pattern.DOTALL);
    private static final Pattern ENHANCED = Pattern.compile("([245]\\.[0-9]{1,3}\\.[0-9]{1,3}) (.*)", Pattern.DOTALL);

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

    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
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

    /** One line for logs, bounces and the queue API: {@code 451 4.3.0 text / more text}. */
    public String summary() {
        return code + (enhanced == null ? "" : " " + enhanced) + " " + String.join(" / ", lines);
    }

    /**
     * Reads replies as a client does (RFC 5321 section 4.2.1): lines are fed
     * without their CRLF; a reply is complete at the line whose code is
     * followed by a space. Every line must carry the same code. The enhanced
     * code is taken from the first line when it has one of the reply's class.
     */
    public static final class Reader {

        private final List<String> texts = new ArrayList<>();
        private int code;

        /** The finished reply, or null while more lines are due. */
        public SmtpReply add(String line) throws MalformedReplyException {
            if (line.length() > MAX_LINE_LENGTH) {
                throw new MalformedReplyException("reply line longer than " + MAX_LINE_LENGTH + " octets");
            }
            Matcher matcher = LINE.matcher(line);
            if (!matcher.matches() && !(line.length() == 3 && LINE.matcher(line + " ").matches())) {
                throw new MalformedReplyException("not a reply line: " + abbreviate(line));
            }
            int lineCode = Integer.parseInt(line.substring(0, 3));
            if (!texts.isEmpty() && lineCode != code) {
                throw new MalformedReplyException("reply lines with codes " + code + " and " + lineCode);
            }
            code = lineCode;
            texts.add(line.length() > 4 ? line.substring(4) : "");
            if (texts.size() > MAX_LINES) {
                throw new MalformedReplyException("reply of more than " + MAX_LINES + " lines");
            }
            boolean last = line.length() == 3 || line.charAt(3) == ' ';
            return last ? finish() : null;
        }

        private SmtpReply finish() {
            String enhanced = null;
            List<String> lines = new ArrayList<>(texts);
            Matcher matcher = ENHANCED.matcher(lines.get(0));
            if (matcher.matches() && matcher.group(1).charAt(0) == Character.forDigit(code / 100, 10)) {
                enhanced = matcher.group(1);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher each = ENHANCED.matcher(lines.get(i));
                    lines.set(i, each.matches() && each.group(1).equals(enhanced) ? each.group(2) : lines.get(i));
                }
            }
            texts.clear();
            return new SmtpReply(code, enhanced, lines);
        }

        private static String abbreviate(String line) {
            return line.length() > 80 ? line.substring(0, 80) + "..." : line;
        }
    }

    /** A peer's answer that is not an RFC 5321 reply. */
    public static final class MalformedReplyException extends Exception {
        public MalformedReplyException(String message) {
            super(message);
        }
    }
}
