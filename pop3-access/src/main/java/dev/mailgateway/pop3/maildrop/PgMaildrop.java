package dev.mailgateway.pop3.maildrop;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.account.Credentials;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.store.MessageBodies;
import dev.mailgateway.pop3.Pop3Metrics;
import dev.mailgateway.pop3.apop.ApopSecrets;
import dev.mailgateway.pop3.protocol.Maildrop;
import dev.mailgateway.common.store.MessageSource;

/**
 * The maildrop over PostgreSQL: one query lists a mailbox, bodies are read in
 * chunks with substring() (the column is stored EXTERNAL, uncompressed, so a
 * chunk costs only its own pages), and UPDATE deletes in one transaction.
 */
@ApplicationScoped
public class PgMaildrop implements Maildrop {

    private static final Logger LOG = Logger.getLogger(PgMaildrop.class);

    private final Pool pool;
    private final Credentials credentials;
    private final ApopSecrets apopSecrets;
    private final Pop3Metrics metrics;

    public PgMaildrop(Pool pool, Credentials credentials, ApopSecrets apopSecrets, Pop3Metrics metrics) {
        this.pool = pool;
        this.credentials = credentials;
        this.apopSecrets = apopSecrets;
        this.metrics = metrics;
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

    /** How long a lock lasts without renewal: a crashed replica's sessions free their maildrops after it. */
    static final Duration LOCK_LEASE = Duration.ofMinutes(2);

    /** This replica's name, the first part of its sessions' lock owners ("replica/session"). */
    private volatile String replica = UUID.randomUUID().toString();

    @Override
    public Future<Void> startReplica(String name) {
        replica = name;
        // a killed run of this replica left locks that would keep their owners out until the lease ran out
        return pool.preparedQuery("delete from maildrop_lock where split_part(owner, '/', 1) = $1")
                .execute(Tuple.of(name))
                .onSuccess(rows -> {
                    if (rows.rowCount() > 0) {
                        LOG.infof("freed %d maildrop locks left by the previous run of %s", rows.rowCount(), name);
                    }
                })
                .mapEmpty();
    }

    private String owner(String session) {
        return replica + "/" + session;
    }

    @Override
    public Future<Boolean> lock(long accountId, String owner) {
        // a free maildrop, or one whose lease ran out, is taken in one statement: no race between replicas
        return pool.preparedQuery("insert into maildrop_lock (account_id, owner, expires_at)"
                + " values ($1, $2, now() + $3::bigint * interval '1 millisecond')"
                + " on conflict (account_id) do update set owner = excluded.owner, expires_at = excluded.expires_at"
                + " where maildrop_lock.expires_at < now() returning owner")
                .execute(Tuple.of(accountId, owner(owner), LOCK_LEASE.toMillis()))
                .map(rows -> rows.size() == 1);
    }

    /**
     * Renews a lease by its owner, expired or not: the owner column is what says
     * who has the maildrop; the expiry only lets another session take it over.
     */
    private static final String RENEW = "update maildrop_lock set expires_at = now() + $3::bigint * interval '1 millisecond'"
            + " where account_id = $1 and owner = $2";

    @Override
    public Future<Boolean> renew(long accountId, String owner) {
        return pool.preparedQuery(RENEW).execute(Tuple.of(accountId, owner(owner), LOCK_LEASE.toMillis())).map(rows -> rows.rowCount() == 1);
    }

    @Override
    public Future<Void> unlock(long accountId, String owner) {
        return pool.preparedQuery("delete from maildrop_lock where account_id = $1 and owner = $2")
                .execute(Tuple.of(accountId, owner(owner))).mapEmpty();
    }

    @Override
    public Future<List<Entry>> list(long accountId) {
        return pool.preparedQuery("select id, queue_id, size_bytes, body_id from mailbox_entry where account_id = $1 order by id")
                .execute(Tuple.of(accountId))
                .map(rows -> {
                    java.util.ArrayList<Entry> entries = new java.util.ArrayList<>(rows.size());
                    for (Row row : rows) {
                        entries.add(new Entry(row.getLong("id"), row.getString("queue_id"), row.getLong("size_bytes"), row.getLong("body_id")));
                    }
                    return entries;
                });
    }

    @Override
    public MessageSource content(Entry entry) {
        return (offset, length) -> pool.preparedQuery(MessageBodies.READ_RANGE)
                .execute(Tuple.of(entry.bodyId(), offset + 1, length))
                .map(rows -> rows.iterator().next().getBuffer(0));
    }

    @Override
    public Future<Map<Long, Buffer>> bodies(List<Entry> entries) {
        Long[] ids = entries.stream().map(Entry::bodyId).toArray(Long[]::new);
        return pool.preparedQuery("select id, content from message_body where id = any($1)")
                .execute(Tuple.tuple().addArrayOfLong(ids))
                .map(rows -> {
                    Map<Long, Buffer> bodies = new HashMap<>(rows.size() * 2);
                    for (Row row : rows) {
                        bodies.put(row.getLong(0), row.getBuffer(1));
                    }
                    return bodies;
                });
    }

    @Override
    public Future<Boolean> delete(long accountId, String owner, List<Entry> entries) {
        Long[] ids = entries.stream().map(Entry::id).toArray(Long[]::new);
        Long[] bodies = entries.stream().map(Entry::bodyId).distinct().toArray(Long[]::new);
        // the renewal locks the lease's row until the commit: no other session can take the maildrop over mid-delete
        return pool.withTransaction(connection -> connection.preparedQuery(RENEW)
                .execute(Tuple.of(accountId, owner(owner), LOCK_LEASE.toMillis()))
                .compose(renewed -> renewed.rowCount() == 0 ? Future.succeededFuture(-1) : connection
                        .preparedQuery("delete from mailbox_entry where account_id = $1 and id = any($2)")
                        .execute(Tuple.of(accountId).addArrayOfLong(ids))
                        // a body goes with its last reference (ARCHITECTURE decision 8)
                        .compose(deleted -> connection.preparedQuery(MessageBodies.DELETE_UNREFERENCED)
                                .execute(Tuple.tuple().addArrayOfLong(bodies))
                                .map(deleted.rowCount()))))
                .onSuccess(deleted -> {
                    if (deleted < 0) {
                        LOG.warnf("account %d: maildrop lock taken over by another session, %d messages not deleted", accountId, ids.length);
                    } else {
                        metrics.deleted(deleted);
                    }
                })
                .map(deleted -> deleted >= 0)
                .onFailure(e -> LOG.warnf("deleting %d messages of account %d failed: %s", ids.length, accountId, e.toString()));
    }
}
