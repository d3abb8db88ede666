package dev.mailgateway.pop3.protocol;

import java.util.Optional;

import io.vertx.core.Future;

/** Authentication: who an account is, by password (USER/PASS, AUTH PLAIN) or by APOP digest. */
public interface Logins {

    /** An account that has an APOP secret, with that secret decrypted. */
    record ApopAccount(long id, String secret) {
    }

    /** The account's id when the password is right; empty when not. Fails when the store is unreachable. */
    Future<Optional<Long>> login(String user, String password);

    /** The account and its APOP secret (RFC 1939 section 7); empty when the account is unknown or has none. */
    Future<Optional<ApopAccount>> apopAccount(String user);
}
