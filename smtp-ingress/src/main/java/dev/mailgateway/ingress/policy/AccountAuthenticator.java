package dev.mailgateway.ingress.policy;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import dev.mailgateway.common.account.Credentials;
import dev.mailgateway.ingress.IngressConfig;
import dev.mailgateway.ingress.protocol.Authenticator;

/**
 * SMTP AUTH against the accounts that POP3 uses: one password per mailbox.
 * A failure is answered only after {@code smtp.auth-failure-delay}, so
 * guessing passwords is slow.
 */
@ApplicationScoped
public class AccountAuthenticator implements Authenticator {

    private final Credentials credentials;
    private final Vertx vertx;
    private final long failureDelayMillis;

    public AccountAuthenticator(Credentials credentials, Vertx vertx, IngressConfig config) {
        this.credentials = credentials;
        this.vertx = vertx;
        this.failureDelayMillis = config.authFailureDelay().toMillis();
    }

    @Override
    public Future<Optional<String>> authenticate(String user, String password) {
        return credentials.verify(user, password)
                .compose(login -> login.isPresent() || failureDelayMillis <= 0 ? Future.succeededFuture(login)
                        : vertx.timer(failureDelayMillis).map(login))
                .map(login -> login.map(Credentials.Login::address));
    }
}
