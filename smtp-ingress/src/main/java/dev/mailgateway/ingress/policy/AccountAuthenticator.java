package dev.mailgateway.ingress.policy;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;

import dev.mailgateway.common.account.Credentials;
import dev.mailgateway.ingress.protocol.Authenticator;

/** SMTP AUTH against the accounts that POP3 uses: one password per mailbox. */
@ApplicationScoped
public class AccountAuthenticator implements Authenticator {

    private final Credentials credentials;

    public AccountAuthenticator(Credentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public Future<Optional<String>> authenticate(String user, String password) {
        return credentials.verify(user, password).map(login -> login.map(Credentials.Login::address));
    }
}
