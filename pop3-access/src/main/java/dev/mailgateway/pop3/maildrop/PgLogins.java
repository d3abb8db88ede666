package dev.mailgateway.pop3.maildrop;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.account.Credentials;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.pop3.apop.ApopSecrets;
import dev.mailgateway.pop3.protocol.Logins;

/** Logins over PostgreSQL: passwords through the shared {@link Credentials}, APOP secrets decrypted from the account row. */
@ApplicationScoped
public class PgLogins implements Logins {

    private final Pool pool;
    private final Credentials credentials;
    private final ApopSecrets apopSecrets;

    public PgLogins(Pool pool, Credentials credentials, ApopSecrets apopSecrets) {
        this.pool = pool;
        this.credentials = credentials;
        this.apopSecrets = apopSecrets;
    }

    @Override
    public Future<Optional<Long>> login(String user, String password) {
        return credentials.verify(user, password).map(login -> login.map(Credentials.Login::accountId));
    }

    @Override
    public Future<Optional<ApopAccount>> apopAccount(String user) {
        return pool.preparedQuery("select id, apop_secret from account where address = $1 and apop_secret is not null")
                .execute(Tuple.of(MailAddress.keyOf(user)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.<ApopAccount>empty();
                    }
                    Row row = rows.iterator().next();
                    long id = row.getLong("id");
                    return apopSecrets.decrypt(row.getBuffer("apop_secret").getBytes()).map(secret -> new ApopAccount(id, secret));
                });
    }
}
