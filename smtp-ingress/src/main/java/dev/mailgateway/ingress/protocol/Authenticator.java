package dev.mailgateway.ingress.protocol;

import java.util.Optional;

import io.vertx.core.Future;

/** Checks SMTP AUTH credentials (RFC 4954); carried out against the accounts. */
public interface Authenticator {
    /**
     * The account's address when the password is right; empty when not. Fails when it cannot be known now.
     * {@code client} is the client's address: failures are counted per client and per account.
     */
    Future<Optional<String>> authenticate(String client, String user, String password);
}
