package dev.mailgateway.common.server;

/** Text a client sent, made safe to write into a log line. */
public final class ClientText {

    private ClientText() {
    }

    /** {@code text} with each control character (C0, DEL, C1) as {@code \xHH}: no line breaks or terminal escapes of the client's making. */
    public static String loggable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
