package dev.mailgateway.pop3.maildrop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.store.MessageBodies;
import dev.mailgateway.common.store.MessageSource;
import dev.mailgateway.pop3.Pop3Metrics;
import dev.mailgateway.pop3.protocol.MessageStore;

/**
 * The stored messages over PostgreSQL: one query lists a mailbox, bodies are
 * read in chunks with substring() (the column is stored EXTERNAL, uncompressed,
 * so a chunk costs only its own pages), and UPDATE deletes in one transaction
 * that starts with the {@link PgMaildropLease}'s renewal.
 */
@ApplicationScoped
public class PgMessageStore implements MessageStore {

    private static final Logger LOG = Logger.getLogger(PgMessageStore.class);

    private final Pool pool;
    private final PgMaildropLease lease;
    private final Pop3Metrics metrics;

    public PgMessageStore(Pool pool, PgMaildropLease lease, Pop3Metrics metrics) {
        this.pool = pool;
        this.lease = lease;
        this.metrics = metrics;
    }

    @Override
    public Future<List<Entry>> list(long accountId) {
        return pool.preparedQuery("select id, queue_id, size_bytes, body_id from mailbox_entry where account_id = $1 order by id")
                .execute(Tuple.of(accountId))
                .map(rows -> {
                    List<Entry> entries = new ArrayList<>(rows.size());
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
        // the renewal locks the lease's row until the commit: no other session can take the maildrop over mid-delete
        return pool.withTransaction(connection -> lease.renew(connection, accountId, owner)
                .compose(renewed -> !renewed ? Future.succeededFuture(-1) : connection
                        .preparedQuery("delete from mailbox_entry where account_id = $1 and id = any($2)")
                        .execute(Tuple.of(accountId).addArrayOfLong(ids))
                        // a body goes with its last reference: the schema's trigger (V12)
                        .map(RowSet::rowCount)))
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
