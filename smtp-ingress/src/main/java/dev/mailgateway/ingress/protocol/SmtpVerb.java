package dev.mailgateway.ingress.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The commands this server knows (RFC 5321 section 4.1.1, STARTTLS of RFC 3207, AUTH of RFC 4954, BDAT of RFC 3030),
 * each with what must come before it. Verbs are case-insensitive.
 */
public enum SmtpVerb {
    HELO(After.NOTHING, false), EHLO(After.NOTHING, false), STARTTLS(After.NOTHING, false),
    AUTH(After.EHLO, true), MAIL(After.HELLO, true), RCPT(After.MAIL, false), DATA(After.RECIPIENT, false), BDAT(After.RECIPIENT, false),
    RSET(After.NOTHING, false), NOOP(After.NOTHING, false), QUIT(After.NOTHING, false), VRFY(After.NOTHING, false), HELP(After.NOTHING, false);

    /** What a command needs before it (RFC 5321 section 4.1.4; RFC 4954 section 4 for AUTH). */
    public enum After {
        NOTHING,
        /** HELO or EHLO. */
        HELLO,
        /** EHLO: the extension was announced. */
        EHLO,
        /** An accepted MAIL: a transaction. */
        MAIL,
        /** At least one accepted recipient. */
        RECIPIENT
    }

    /** What must have come first. */
    public final After after;
    /** Refused inside a mail transaction: no nested MAIL (RFC 5321 section 4.1.4), no AUTH (RFC 4954 section 4). */
    public final boolean outsideTransaction;
    private final String label = name().toLowerCase(Locale.ROOT);

    SmtpVerb(After after, boolean outsideTransaction) {
        this.after = after;
        this.outsideTransaction = outsideTransaction;
    }

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
