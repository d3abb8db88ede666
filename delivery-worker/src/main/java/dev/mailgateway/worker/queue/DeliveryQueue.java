package dev.mailgateway.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.store.Batch;
import dev.mailgateway.common.store.MessageBodies;
import dev.mailgateway.common.store.MessageSource;

/**
 * The delivery queue table (ARCHITECTURE decision 5), every statement on it in
 * one place. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} and a lease:
 * the claim moves the row's next attempt a lease ahead, so no other replica
 * takes it while this one relays, and a replica that dies mid-relay leaves it
 * due again when the lease runs out. Nothing is held open during a relay.
 * Every claim adds one to {@code attempts} and nothing else raises it, so the
 * count a claim returned is its token: while the row still has it, no one has
 * claimed the row since, and renewing or deferring it is ours to do.
 */
@ApplicationScoped
public class DeliveryQueue {

    public static final String QUEUED = "queued";
    public static final String FAILED = "failed";
    /** Delivered to a local mailbox, the sender asked to hear of it (NOTIFY=SUCCESS): waits for its report. */
    public static final String DELIVERED = "delivered";

    /** A queued row as the queue API shows it. */
    public record Listed(String queueId, String sender, String recipient, int attempts, Instant nextAttemptAt, String lastError) {
    }

    /** A row waiting for its report, with what the report needs; {@code action} is RFC 3464's (failed, delivered, relayed). */
    public record Failed(long id, String queueId, long bodyId, String recipient, String dsnNotify, String orcpt, String action, String status,
            String lastError, String remoteMta, String sender, String ret, String envid, Instant receivedAt) {
    }

    /** Depth of the deferred queue and the age of its oldest message, for the metrics. */
    public record Depth(long queued, Duration oldest) {
    }

    private static final String CLAIM = """
            with due as (
                select id from delivery_queue
                where state = 'queued' and next_attempt_at <= now() and not (domain = any($1)) and not (id = any($5))
                order by next_attempt_at
                limit $2
                for update skip locked)
            update delivery_queue q set next_attempt_at = now() + $3::bigint * interval '1 millisecond', attempts = q.attempts + 1
            from due, message_body b
            where q.id = due.id and b.id = q.body_id
            returning q.id, q.queue_id, q.body_id, q.recipient, q.domain, q.dsn_notify, q.dsn_orcpt, q.attempts, q.delay_warned,
                      b.sender, b.dsn_ret, b.dsn_envid, b.smtputf8, b.received_at, b.size_bytes, b.eight_bit,
                      case when b.size_bytes <= $4 then b.content end as content""";

    /**
     * Locks the bodies of up to $1 messages with rows to report and none being
     * reported, except messages in $2. The body row is the message's lock: the
     * mark and the report of one message never run in two transactions at once.
     * NO KEY UPDATE does not stop intake's foreign keys from referencing it.
     */
    private static final String LOCK_TO_REPORT = """
            select b.id from message_body b
            where b.id in (
                select q.body_id from delivery_queue q
                where q.state in ('failed', 'delivered', 'relayed') and not (q.queue_id = any($2))
                  and not exists (select 1 from delivery_queue r where r.body_id = q.body_id and r.state = 'reporting')
                limit $1)
            for no key update of b skip locked""";

    /** Fixes the set each locked message's next report lists: all its rows waiting for one. */
    private static final String MARK_REPORTING = """
            update delivery_queue q set state = 'reporting', dsn_action = q.state
            where q.body_id = any($1) and q.state in ('failed', 'delivered', 'relayed')
              and not exists (select 1 from delivery_queue r where r.body_id = q.body_id and r.state = 'reporting')""";

    private static final String LOCK_MESSAGE = "select 1 from message_body where id = $1 for no key update skip locked";

    private static final String REPORTING_ROWS = """
            select q.id, q.queue_id, q.body_id, q.recipient, q.dsn_notify, q.dsn_orcpt, q.dsn_action, q.status, q.last_error, q.remote_mta,
                   b.sender, b.dsn_ret, b.dsn_envid, b.received_at
            from delivery_queue q join message_body b on b.id = q.body_id
            where q.body_id = $1 and q.state = 'reporting'
            order by q.id""";

    private static final String RENEW = """
            update delivery_queue q set next_attempt_at = now() + $3::bigint * interval '1 millisecond'
            from unnest($1::bigint[], $2::int[]) as c(id, attempts)
            where q.id = c.id and q.attempts = c.attempts and q.state = 'queued'
            returning q.id""";

    /** Bodies up to this size come with their claim: one query less per relay of a typical message. */
    static final long CLAIMED_WITH_CONTENT = 64 * 1024;

    private final Pool pool;

    public DeliveryQueue(Pool pool) {
        this.pool = pool;
    }

    /**
     * Claims up to {@code limit} due rows of domains not in {@code busyDomains},
     * leaving out the rows in {@code held}: this replica's own claims, due again
     * only because a renewal could not reach the database in time.
     */
    public Future<List<ClaimedRecipient>> claimDue(Set<String> busyDomains, Set<Long> held, int limit, Duration lease) {
        return pool.preparedQuery(CLAIM)
                .execute(Tuple.tuple().addArrayOfString(busyDomains.toArray(String[]::new)).addInteger(limit).addLong(lease.toMillis())
                        .addLong(CLAIMED_WITH_CONTENT).addArrayOfLong(held.toArray(Long[]::new)))
                .map(rows -> {
                    List<ClaimedRecipient> claimed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        claimed.add(new ClaimedRecipient(row.getLong("id"), row.getString("queue_id"), row.getLong("body_id"),
                                row.getString("recipient"), row.getString("domain"), row.getString("dsn_notify"),
                                row.getString("dsn_orcpt"), row.getInteger("attempts"), row.getString("sender"),
                                row.getString("dsn_ret"), row.getString("dsn_envid"), row.getBoolean("smtputf8"),
                                instant(row, "received_at"), row.getBoolean("delay_warned"), row.getLong("size_bytes"),
                                row.getBoolean("eight_bit"), row.getBuffer("content")));
                    }
                    return claimed;
                });
    }

    /** The message bytes of a body, read a range at a time as the relay sends them. */
    public MessageSource body(long bodyId) {
        return (offset, length) -> pool.preparedQuery(MessageBodies.READ_RANGE).execute(Tuple.of(bodyId, offset + 1, length))
                .map(rows -> rows.iterator().next().getBuffer(0));
    }

    /**
     * Moves the lease of the rows still claimed with their tokens a lease ahead;
     * the ids of those (the others were claimed again, or deleted, or failed).
     * One statement, so a claim by another replica either comes before it (the
     * token is gone) or finds the row's lease renewed.
     */
    public Future<Set<Long>> renew(List<ClaimedRecipient> rows, Duration lease) {
        return pool.preparedQuery(RENEW)
                .execute(Tuple.tuple().addArrayOfLong(rows.stream().map(ClaimedRecipient::id).toArray(Long[]::new))
                        .addArrayOfInteger(rows.stream().map(ClaimedRecipient::attempts).toArray(Integer[]::new))
                        .addLong(lease.toMillis()))
                .map(renewed -> {
                    Set<Long> ids = new HashSet<>(renewed.size());
                    renewed.forEach(row -> ids.add(row.getLong(0)));
                    return ids;
                });
    }

    /**
     * Writes the verdicts of one attempt in one transaction. A row an operator
     * deleted meanwhile stays deleted; a delivered row goes (and its body with
     * it when nothing else holds it: the schema's trigger, V12). Delivered and failed are final whoever holds
     * the row now (a newer claim then finds it gone or failed and sends
     * nothing); a deferral only schedules the row, so it is written only while
     * the claim's token is still the row's.
     */
    public Future<Void> record(List<Verdict> verdicts) {
        List<Long> delivered = new ArrayList<>();
        List<Tuple> deferred = new ArrayList<>();
        List<Tuple> failed = new ArrayList<>();
        List<Tuple> relayed = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            String error = verdict.reply().summary();
            switch (verdict.kind()) {
                case DELIVERED -> delivered.add(verdict.row().id());
                case DEFERRED -> deferred.add(Tuple.of(verdict.row().id(), time(verdict.nextAttemptAt()), error, verdict.status(), verdict.remoteMta(),
                        verdict.warnDelay(), verdict.row().attempts()));
                case FAILED -> failed.add(Tuple.of(verdict.row().id(), error, verdict.status(), verdict.remoteMta()));
                case RELAYED -> relayed.add(Tuple.of(verdict.row().id(), error, verdict.status(), verdict.remoteMta()));
            }
        }
        return pool.withTransaction(connection -> delete(connection, delivered)
                .compose(v -> Batch.execute(connection, "update delivery_queue set next_attempt_at = $2, last_error = $3, status = $4, remote_mta = $5,"
                        + " delay_warned = delay_warned or $6 where id = $1 and state = 'queued' and attempts = $7", deferred))
                .compose(v -> Batch.execute(connection, "update delivery_queue set state = 'failed', last_error = $2, status = $3, remote_mta = $4"
                        + " where id = $1 and state = 'queued'", failed))
                // kept for their "relayed" report, as failed rows for their bounce
                .compose(v -> Batch.execute(connection, "update delivery_queue set state = 'relayed', last_error = $2, status = $3, remote_mta = $4"
                        + " where id = $1 and state = 'queued'", relayed)));
    }

    /**
     * Deletes rows in one statement, not a batch of one per row: the schema's
     * trigger that drops their bodies (V12) then runs once.
     */
    private static Future<Void> delete(SqlConnection connection, List<Long> ids) {
        return ids.isEmpty() ? Future.succeededFuture() : connection.preparedQuery("delete from delivery_queue where id = any($1)")
                .execute(Tuple.tuple().addArrayOfLong(ids.toArray(Long[]::new))).mapEmpty();
    }

    /** Rows claimed but not attempted (the worker is stopping): due again at once, if still ours. */
    public Future<Void> release(List<ClaimedRecipient> rows) {
        return pool.preparedQuery("update delivery_queue q set next_attempt_at = now(), attempts = q.attempts - 1"
                + " from unnest($1::bigint[], $2::int[]) as c(id, attempts) where q.id = c.id and q.attempts = c.attempts and q.state = 'queued'")
                .execute(Tuple.tuple().addArrayOfLong(rows.stream().map(ClaimedRecipient::id).toArray(Long[]::new))
                        .addArrayOfInteger(rows.stream().map(ClaimedRecipient::attempts).toArray(Integer[]::new)))
                .mapEmpty();
    }

    /**
     * Fixes what the next report of up to {@code limit} messages lists: each
     * one's rows waiting for a report, all of them, in one transaction per call,
     * committed before any report is queued. Messages in {@code waitFor} still
     * have relays in flight: they wait, so that one report lists them all. A
     * message whose last set is still being reported waits for it. The number
     * of messages marked.
     */
    public Future<Integer> markReports(int limit, Set<String> waitFor) {
        String[] waiting = waitFor.toArray(String[]::new);
        return pool.withTransaction(connection -> connection.preparedQuery(LOCK_TO_REPORT)
                .execute(Tuple.of(limit).addArrayOfString(waiting))
                .compose(locked -> {
                    Long[] bodies = new Long[locked.size()];
                    int i = 0;
                    for (Row row : locked) {
                        bodies[i++] = row.getLong(0);
                    }
                    // a statement of its own: its snapshot is taken with the locks held, so it sees every earlier mark
                    return bodies.length == 0 ? Future.succeededFuture(0) : connection.preparedQuery(MARK_REPORTING)
                            .execute(Tuple.tuple().addArrayOfLong(bodies)).map(bodies.length);
                }));
    }

    /** Up to {@code limit} messages with a marked set to report. */
    public Future<List<Long>> reportsDue(int limit) {
        return pool.preparedQuery("select distinct body_id from delivery_queue where state = 'reporting' limit $1").execute(Tuple.of(limit))
                .map(rows -> {
                    List<Long> bodies = new ArrayList<>(rows.size());
                    rows.forEach(row -> bodies.add(row.getLong(0)));
                    return bodies;
                });
    }

    /**
     * Runs {@code report} on the marked set of one message, then deletes the
     * rows (and so the body, when nothing else holds it); the number of rows. The
     * same set every time until it succeeds: a report queued before a crash is
     * queued again as the same record. 0 when another replica has the message.
     */
    public Future<Integer> report(long bodyId, java.util.function.Function<List<Failed>, Future<Void>> report) {
        return pool.withTransaction(connection -> connection.preparedQuery(LOCK_MESSAGE).execute(Tuple.of(bodyId)).compose(locked -> {
            if (locked.size() == 0) {
                return Future.succeededFuture(0);
            }
            return connection.preparedQuery(REPORTING_ROWS).execute(Tuple.of(bodyId)).compose(rows -> {
                List<Failed> set = new ArrayList<>(rows.size());
                for (Row row : rows) {
                    set.add(new Failed(row.getLong("id"), row.getString("queue_id"), row.getLong("body_id"), row.getString("recipient"),
                            row.getString("dsn_notify"), row.getString("dsn_orcpt"), row.getString("dsn_action"), row.getString("status"),
                            row.getString("last_error"), row.getString("remote_mta"), row.getString("sender"), row.getString("dsn_ret"),
                            row.getString("dsn_envid"), instant(row, "received_at")));
                }
                if (set.isEmpty()) {
                    return Future.succeededFuture(0);
                }
                Long[] ids = set.stream().map(Failed::id).toArray(Long[]::new);
                return report.apply(set)
                        .compose(v -> connection.preparedQuery("delete from delivery_queue where id = any($1)").execute(Tuple.tuple().addArrayOfLong(ids)))
                        .map(set.size());
            });
        }));
    }

    /** The start of a body, enough for its header section (RFC 3464 text/rfc822-headers), or all of it. */
    public Future<Buffer> head(long bodyId, int maxBytes) {
        return pool.preparedQuery("select substring(content from 1 for $2) from message_body where id = $1")
                .execute(Tuple.of(bodyId, maxBytes)).map(rows -> rows.iterator().next().getBuffer(0));
    }

    public Future<List<Listed>> list(int limit) {
        return pool.preparedQuery("select q.queue_id, b.sender, q.recipient, q.attempts, q.next_attempt_at, q.last_error"
                + " from delivery_queue q join message_body b on b.id = q.body_id where q.state = 'queued'"
                + " order by q.next_attempt_at, q.id limit $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<Listed> listed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        listed.add(new Listed(row.getString("queue_id"), row.getString("sender"), row.getString("recipient"),
                                row.getInteger("attempts"), instant(row, "next_attempt_at"), row.getString("last_error")));
                    }
                    return listed;
                });
    }

    /** Makes a message's queued recipients (or, for null, every queued recipient) due now; the count of rows touched. */
    public Future<Integer> dueNow(String queueId) {
        return pool.preparedQuery("update delivery_queue set next_attempt_at = now() where state = 'queued' and ($1::text is null or queue_id = $1)")
                .execute(Tuple.of(queueId)).map(RowSet::rowCount);
    }

    /**
     * Takes a message's queued recipients out of the queue: marked failed with
     * {@code status} for their bounce, or dropped with no trace when {@code bounce} is false.
     */
    public Future<Integer> remove(String queueId, boolean bounce, String status, String reason) {
        if (bounce) {
            return pool.preparedQuery("update delivery_queue set state = 'failed', status = $2, last_error = $3, remote_mta = null"
                    + " where queue_id = $1 and state = 'queued'")
                    .execute(Tuple.of(queueId, status, reason)).map(RowSet::rowCount);
        }
        return pool.preparedQuery("delete from delivery_queue where queue_id = $1 and state = 'queued'")
                .execute(Tuple.of(queueId)).map(RowSet::rowCount);
    }

    public Future<Depth> depth() {
        return pool.query("select count(*), extract(epoch from now() - min(b.received_at)) from delivery_queue q"
                + " join message_body b on b.id = q.body_id where q.state = 'queued'").execute()
                .map(rows -> {
                    Row row = rows.iterator().next();
                    Double oldest = row.getDouble(1);
                    return new Depth(row.getLong(0), oldest == null ? Duration.ZERO : Duration.ofMillis((long) (oldest * 1000)));
                });
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime time = row.getOffsetDateTime(column);
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
