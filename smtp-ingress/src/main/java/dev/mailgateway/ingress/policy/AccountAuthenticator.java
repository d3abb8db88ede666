package dev.mailgateway.ingress.policy;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import dev.mailgateway.common.account.Credentials;
import dev.mailgateway.common.account.FailedLogins;
import dev.mailgateway.ingress.IngressConfig;
import dev.mailgateway.ingress.protocol.Authenticator;

/**
 * SMTP AUTH against the accounts that POP3 uses: one password per mailbox.
 * A failure is answered only after a delay that grows with the recent
 * failures of its client and of the account tried ({@link FailedLogins},
 * {@code smtp.login-failure.*}), so guessing passwords is slow; a login
 * forgives its client, as in POP3.
 */
@ApplicationScoped
public class AccountAuthenticator implements Authenticator {

    private final Credentials credentials;
    private final Vertx vertx;
    private final FailedLogins failedLogins;

    public AccountAuthenticator(Credentials credentials, Vertx vertx, IngressConfig config) {
        this.credentials = credentials;
        this.vertx = vertx;
        this.failedLogins = config.loginFailure().failedLogins();
    }

    @Override
    public Future<Optional<String>> authenticate(String client, String user, String password) {
        return credentials.verify(user, password)
                .compose(login -> {
                    if (login.isPresent()) {
                        failedLogins.succeeded(client);
                        return Future.succeededFuture(login);
                    }
                    long delay = failedLogins.failed(client, user);
                    return delay > 0 ? vertx.timer(delay).map(login) : Future.succeededFuture(login);
                })
                .map(login -> login.map(Credentials.Login::address));
    }
}
