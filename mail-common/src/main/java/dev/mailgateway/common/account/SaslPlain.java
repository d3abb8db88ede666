package dev.mailgateway.common.account;

import java.util.Optional;

/**
 * The PLAIN SASL message (RFC 4616): {@code [authzid] NUL authcid NUL passwd},
 * as SMTP AUTH (RFC 4954) and POP3 AUTH (RFC 5034) carry it, base64-decoded.
 * Acting for another identity is not supported: an authzid, when given, must
 * name the authcid.
 */
public final class SaslPlain {

    /** Who logs in, and the password to check. */
    public record Identity(String user, String password) {
    }

    private SaslPlain() {
    }

    public static Optional<Identity> identity(String decoded) {
        String[] parts = decoded.split("\0", -1);
        if (parts.length != 3 || parts[1].isEmpty() || (!parts[0].isEmpty() && !parts[0].equalsIgnoreCase(parts[1]))) {
            return Optional.empty();
        }
        return Optional.of(new Identity(parts[1], parts[2]));
    }
}
