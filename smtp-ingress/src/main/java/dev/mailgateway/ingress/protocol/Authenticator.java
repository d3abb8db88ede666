package dev.mailgateway.ingress.protocol;

import java.util.Optional;

import io.vertx.core.Future;

/** Checks SMTP AUTH credentials (RFC 4954); carried out against the accounts. */
public interface Authenticator {
    /** The account's address when the password is right; empty when not. Fails when it cannot be known now. */
    Future<Optional<String>> authenticate(String user, String password);
}
