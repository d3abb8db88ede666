package dev.mailgateway.ingress.protocol;

import java.util.Locale;
import java.util.Optional;

/** The commands this server knows (RFC 5321 section 4.1.1, STARTTLS of RFC 3207, AUTH of RFC 4954, BDAT of RFC 3030). Verbs are case-insensitive. */
public enum SmtpVerb {
    HELO, EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, VRFY, HELP;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The verb in lower case, as metrics and the session's log line name it. */
    public String label() {
        return label;
    }

    public static Optional<SmtpVerb> of(String word) {
        try {
            return Optional.of(valueOf(word.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }
}
