package dev.mailgateway.common.account;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The PLAIN SASL message (RFC 4616): {@code [authzid] NUL authcid NUL passwd},
 * as SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034) carry it, base64-decoded.
 * Acting for another identity is not supported: an authzid, when given, must
 * name the authcid.
 */
public final class SaslPlain {

    /**
     * RFC 4616 section 2: a server must take an authzid and authcid of up to 255 octets; no account's
     * address is longer (RFC 5321 section 4.5.3.1.3), and longer names would only fill the failed-login memory.
     */
    public static final int MAX_IDENTITY = 255;

    /** Who logs in, and the password to check. */
    public record Identity(String user, String password) {
    }

    private SaslPlain() {
    }

    /**
     * True for an authorization or authentication identity the server takes: at most
     * {@link #MAX_IDENTITY} octets of UTF-8 without control characters. RFC 4616 forbids only NUL;
     * but an identity is logged and kept in the failed-login memory, where a CR or LF could forge
     * a line. SMTP's AUTH LOGIN user name is held to the same rule.
     */
    public static boolean isIdentity(String identity) {
        return identity.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTITY && identity.chars().noneMatch(Character::isISOControl);
    }

    /**
     * @return who logs in; empty when the message is not three fields with an authcid, or its authzid names someone else
     * @throws IllegalArgumentException when the authzid or authcid is no identity ({@link #isIdentity}), with a reason fit for a 501
     */
    public static Optional<Identity> identity(String decoded) {
        String[] parts = decoded.split("\0", -1);
        if (parts.length != 3 || parts[1].isEmpty()) {
            return Optional.empty();
        }
        if (!isIdentity(parts[0]) || !isIdentity(parts[1])) {
            throw new IllegalArgumentException("Invalid authentication identity");
        }
        if (!parts[0].isEmpty() && !parts[0].equalsIgnoreCase(parts[1])) {
            return Optional.empty();
        }
        return Optional.of(new Identity(parts[1], parts[2]));
    }
}
