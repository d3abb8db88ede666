package dev.mailgateway.ingress.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

import dev.mailgateway.common.account.SaslPlain;
import dev.mailgateway.common.account.SaslResponse;
import dev.mailgateway.common.reply.SmtpReply;

/**
 * The server side of one AUTH exchange (RFC 4954): PLAIN (RFC 4616) and LOGIN,
 * base64 responses in, the next challenge or the credentials out. An
 * identity with a control character, or longer than 255 octets, ends the
 * exchange with 501 5.5.4 ({@link SaslPlain#isIdentity}). Pure.
 */
final class SaslExchange {

    /** What the exchange asks for next. */
    sealed interface Step permits Challenge, Credentials, Failure {
    }

    /** Send {@code 334 <base64>} and wait for the client's response line. */
    record Challenge(String base64) implements Step {
    }

    /** The exchange is complete: check these. */
    record Credentials(String user, String password) implements Step {
    }

    /** The exchange ends with this error reply. */
    record Failure(SmtpReply reply) implements Step {
    }

    static final SmtpReply UNKNOWN_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");
    static final SmtpReply CANCELLED = SmtpReply.of(501, "5.0.0", "Authentication cancelled");
    static final SmtpReply UNDECODABLE = SmtpReply.of(501, "5.5.2", "Cannot decode response");

    private static final String USERNAME = base64("Username:");
    private static final String PASSWORD = base64("Password:");

    private final boolean plain;
    private String user;

    private SaslExchange(boolean plain) {
        this.plain = plain;
    }

    /** The exchange for {@code AUTH mechanism [initial-response]}; null initial response when none was given. */
    static SaslExchange of(String mechanism) {
        return switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> new SaslExchange(true);
            case "LOGIN" -> new SaslExchange(false);
            default -> null;
        };
    }

    /** The first step, given the initial response of the AUTH line (RFC 4954 section 4) or null. */
    Step start(String initialResponse) {
        if (initialResponse == null) {
            return new Challenge(plain ? "" : USERNAME);
        }
        return respond(initialResponse);
    }

    /** The next step after a response line from the client. */
    Step respond(String line) {
        SaslResponse response = SaslResponse.of(line);
        return switch (response.kind()) {
            case CANCELLED -> new Failure(CANCELLED);
            case UNDECODABLE -> new Failure(UNDECODABLE);
            case DECODED -> decoded(response.text());
        };
    }

    private Step decoded(String decoded) {
        if (plain) {
            try {
                return SaslPlain.identity(decoded).<Step>map(id -> new Credentials(id.user(), id.password()))
                        .orElse(new Failure(SmtpReplies.AUTH_FAILED));
            } catch (IllegalArgumentException e) {
                return new Failure(SmtpReplies.BAD_IDENTITY);
            }
        }
        if (user == null) {
            if (!SaslPlain.isIdentity(decoded)) {
                return new Failure(SmtpReplies.BAD_IDENTITY);
            }
            user = decoded;
            return new Challenge(PASSWORD);
        }
        return new Credentials(user, decoded);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
