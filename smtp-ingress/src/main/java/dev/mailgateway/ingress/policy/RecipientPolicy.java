package dev.mailgateway.ingress.policy;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.ingress.protocol.RecipientCheck;

/**
 * Who may receive mail through us. A local domain's recipient must have an
 * account (refused at RCPT, so we never bounce later: no backscatter);
 * postmaster is always accepted (RFC 5321 section 4.5.1). Other domains are
 * relay, which needs AUTH: refused here until the client authenticated.
 * A mailbox at its quota, or that the declared SIZE would take past it, is
 * refused with a temporary error, so the sender retries once there is room.
 * A mailbox found without a quota is asked for once, then known
 * ({@link KnownMailboxes}) until its account changes, for 10 minutes at most,
 * and only while the ingress hears PostgreSQL's notices of such changes.
 */
@ApplicationScoped
public class RecipientPolicy implements RecipientCheck {

    private final LocalDomains localDomains;
    private final Pool pool;
    private final KnownMailboxes knownMailboxes;

    public RecipientPolicy(LocalDomains localDomains, Pool pool, KnownMailboxes knownMailboxes) {
        this.localDomains = localDomains;
        this.pool = pool;
        this.knownMailboxes = knownMailboxes;
    }

    @Override
    public Future<Verdict> check(MailAddress recipient, boolean authenticated, long declaredSize) {
        if (!localDomains.isLocal(recipient.domain())) {
            return Future.succeededFuture(authenticated ? Verdict.ACCEPT : Verdict.RELAY_DENIED);
        }
        if (localDomains.isPostmaster(recipient)) {
            return Future.succeededFuture(Verdict.ACCEPT);
        }
        String mailbox = localDomains.mailboxOf(recipient).orElseThrow();
        if (knownMailboxes.knows(mailbox)) {
            return Future.succeededFuture(Verdict.ACCEPT);
        }
        long changesBefore = knownMailboxes.changesSoFar();
        // the octets in the mailbox are summed only for an account with a quota: the sum reads every
        // entry of the mailbox, and a big mailbox without a quota would pay for it at each RCPT
        return pool.preparedQuery("select a.quota_bytes, case when a.quota_bytes > 0 then"
                + " (select coalesce(sum(e.size_bytes), 0) from mailbox_entry e where e.account_id = a.id) else 0 end"
                + " from account a where a.address = $1")
                .execute(Tuple.of(mailbox))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return Verdict.UNKNOWN_USER;
                    }
                    Row row = rows.iterator().next();
                    long quota = row.getLong(0);
                    long used = row.getLong(1);
                    boolean limited = quota > 0;
                    if (!limited) {
                        knownMailboxes.remember(mailbox, changesBefore);
                    }
                    // an accepted message is always delivered, even past the quota: the check is here, before
                    return limited && (used >= quota || used + declaredSize > quota) ? Verdict.OVER_QUOTA : Verdict.ACCEPT;
                });
    }
}
