package dev.mailgateway.pop3.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * POP3 commands (RFC 1939 with its optional APOP and TOP, CAPA from RFC 2449, STLS from
 * RFC 2595, AUTH from RFC 5034), each with the states it is valid in.
 */
public enum Pop3Verb {
    USER(true, false), PASS(true, false), APOP(true, false), AUTH(true, false), QUIT(true, true), CAPA(true, true), STLS(true, false),
    STAT(false, true), LIST(false, true), UIDL(false, true), RETR(false, true),
    DELE(false, true), NOOP(false, true), RSET(false, true), TOP(false, true);

    /** Valid in the AUTHORIZATION state. */
    public final boolean inAuthorization;
    /** Valid in the TRANSACTION state. */
    public final boolean inTransaction;

    Pop3Verb(boolean inAuthorization, boolean inTransaction) {
        this.inAuthorization = inAuthorization;
        this.inTransaction = inTransaction;
    }

    public static Optional<Pop3Verb> of(String word) {
        try {
            return Optional.of(valueOf(word.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }
}
