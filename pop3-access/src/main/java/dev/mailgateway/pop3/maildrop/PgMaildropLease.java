package dev.mailgateway.pop3.maildrop;

import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.health.SchemaReadiness;
import dev.mailgateway.pop3.protocol.MaildropLease;

/**
 * The maildrop lease over PostgreSQL: one {@code maildrop_lock} row per
 * locked maildrop, with its owner ("replica/session") and when it expires.
 */
@ApplicationScoped
public class PgMaildropLease implements MaildropLease {

    private static final Logger LOG = Logger.getLogger(PgMaildropLease.class);

    /** How long a lock lasts without renewal: a crashed replica's sessions free their maildrops after it. */
    static final Duration LOCK_LEASE = Duration.ofMinutes(2);

    /**
     * Renews a lease by its owner, expired or not: the owner column is what says
     * who has the maildrop; the expiry only lets another session take it over.
     */
    private static final String RENEW = "update maildrop_lock set expires_at = now() + $3::bigint * interval '1 millisecond'"
            + " where account_id = $1 and owner = $2";

    private final Pool pool;

    /** This replica's name, the first part of its sessions' lock owners ("replica/session"). */
    private volatile String replica = UUID.randomUUID().toString();

    public PgMaildropLease(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Future<Void> startReplica(String name) {
        replica = name;
        // a killed run of this replica left locks that would keep their owners out until the lease ran out;
        // on a database the delivery-worker has not migrated yet there is no lock at all (SchemaReadiness waits for it)
        return freeLocksOf(name).recover(failure -> SchemaReadiness.notMigrated(failure) ? Future.succeededFuture(0) : Future.failedFuture(failure))
                .onSuccess(freed -> {
                    if (freed > 0) {
                        LOG.infof("freed %d maildrop locks left by the previous run of %s", freed, name);
                    }
                }).mapEmpty();
    }

    @Override
    public Future<Void> stopReplica() {
        return freeLocksOf(replica).onSuccess(freed -> {
            if (freed > 0) {
                LOG.infof("freed %d maildrop locks still held at shutdown", freed);
            }
        }).mapEmpty();
    }

    /** Deletes the locks of every session of {@code name}; how many there were. */
    private Future<Integer> freeLocksOf(String name) {
        return pool.preparedQuery("delete from maildrop_lock where split_part(owner, '/', 1) = $1")
                .execute(Tuple.of(name))
                .map(rows -> rows.rowCount());
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

    @Override
    public Future<Boolean> renew(long accountId, String owner) {
        return renew(pool, accountId, owner);
    }

    /**
     * Renews on {@code client}: {@link PgMessageStore} passes its deletion's
     * transaction, whose update then holds the lease's row until the commit.
     */
    Future<Boolean> renew(SqlClient client, long accountId, String owner) {
        return client.preparedQuery(RENEW).execute(Tuple.of(accountId, owner(owner), LOCK_LEASE.toMillis())).map(rows -> rows.rowCount() == 1);
    }

    @Override
    public Future<Void> unlock(long accountId, String owner) {
        return pool.preparedQuery("delete from maildrop_lock where account_id = $1 and owner = $2")
                .execute(Tuple.of(accountId, owner(owner))).mapEmpty();
    }
}
