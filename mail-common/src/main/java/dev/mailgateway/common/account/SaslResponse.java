package dev.mailgateway.common.account;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One response line of a client in a SASL exchange, as SMTP AUTH (RFC 4954 section 4) and POP3 AUTH
 * (RFC 5034 section 4) both carry it: "*" cancels the exchange, "=" is an empty initial response, and
 * anything else is base64. Each server answers the three kinds with its own replies.
 *
 * @param text the decoded response, for {@link Kind#DECODED} only
 */
public record SaslResponse(Kind kind, String text) {

    public enum Kind {
        CANCELLED, UNDECODABLE, DECODED
    }

    /** Without the text: a response may hold a password, and a record prints its fields. */
    @Override
    public String toString() {
        return "SaslResponse[" + kind + "]";
    }

    public static SaslResponse of(String line) {
        if (line.equals("*")) {
            return new SaslResponse(Kind.CANCELLED, null);
        }
        if (line.equals("=")) {
            return new SaslResponse(Kind.DECODED, "");
        }
        try {
            return new SaslResponse(Kind.DECODED, new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return new SaslResponse(Kind.UNDECODABLE, null);
        }
    }
}
