package dev.mailgateway.ingress.policy;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.ingress.protocol.RecipientCheck;

/**
 * Who may receive mail through us. A local domain's recipient must have an
 * account (refused at RCPT, so we never bounce later: no backscatter);
 * postmaster is always accepted (RFC 5321 section 4.5.1). Other domains are
 * relay, which needs AUTH: refused here until the client authenticated.
 */
@ApplicationScoped
public class RecipientPolicy implements RecipientCheck {

    private final LocalDomains localDomains;
    private final Pool pool;

    public RecipientPolicy(LocalDomains localDomains, Pool pool) {
        this.localDomains = localDomains;
        this.pool = pool;
    }

    @Override
    public Future<Verdict> check(MailAddress recipient, boolean authenticated) {
        if (!localDomains.isLocal(recipient.domain())) {
            return Future.succeededFuture(authenticated ? Verdict.ACCEPT : Verdict.RELAY_DENIED);
        }
        if (localDomains.isPostmaster(recipient)) {
            return Future.succeededFuture(Verdict.ACCEPT);
        }
        return pool.preparedQuery("select 1 from account where address = $1")
                .execute(Tuple.of(localDomains.mailboxOf(recipient).orElseThrow()))
                .map(rows -> rows.size() > 0 ? Verdict.ACCEPT : Verdict.UNKNOWN_USER);
    }
}
