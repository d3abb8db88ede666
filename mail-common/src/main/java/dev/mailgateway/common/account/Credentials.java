package dev.mailgateway.common.account;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.address.MailAddress;

/**
 * Checks an account's password: SMTP AUTH and POP3 USER/PASS. The hash is
 * read without blocking; bcrypt runs on a worker thread, never on the event
 * loop. Unknown accounts and disabled logins cost the same time as a wrong
 * password, so timing tells nothing about which accounts exist. A password
 * verified lately is not run through bcrypt again ({@link VerifiedLogins}).
 */
@ApplicationScoped
public class Credentials {

    /** A verified login: the account's id and its (lower-case) address. */
    public record Login(long accountId, String address) {
    }

    private final Pool pool;
    private final Vertx vertx;
    private final VerifiedLogins verified = new VerifiedLogins(System::nanoTime);

    public Credentials(Pool pool, Vertx vertx) {
        this.pool = pool;
        this.vertx = vertx;
    }

    /** The account when the password is right; empty when not. Fails when the database is unreachable. */
    public Future<Optional<Login>> verify(String user, String password) {
        // the key accounts are stored under: an IDN typed with U-labels finds its account too
        String address = MailAddress.keyOf(user);
        return pool.preparedQuery("select id, password_hash from account where address = $1")
                .execute(Tuple.of(address))
                .compose(rows -> {
                    Row row = rows.size() == 1 ? rows.iterator().next() : null;
                    String hash = row == null ? null : row.getString("password_hash");
                    Optional<Login> login = row == null ? Optional.empty() : Optional.of(new Login(row.getLong("id"), address));
                    if (hash != null && verified.knows(address, hash, password)) {
                        return Future.succeededFuture(login);
                    }
                    return vertx.executeBlocking(() -> {
                        if (!Passwords.matches(password, hash)) {
                            return Optional.<Login>empty();
                        }
                        verified.remember(address, hash, password);
                        return login;
                    }, false);
                });
    }
}
