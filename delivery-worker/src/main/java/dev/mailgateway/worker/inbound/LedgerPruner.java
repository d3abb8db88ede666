package dev.mailgateway.worker.inbound;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.worker.DeliveryConfig;

/**
 * Forgets ledger rows older than {@code delivery.ledger.retention}, so that the
 * table does not grow without end. Exactly once holds for a record replayed
 * within the retention; the retention is kept longer than mail.inbound keeps
 * its records, so a record that can still be consumed is always remembered.
 * Deletes in small batches, each its own short transaction with a statement
 * timeout, so intake never waits on it for long; a run stops at its deadline
 * and the next run goes on. Any replica may run it: batches of two replicas
 * delete different rows or none. Never throws out of its timer.
 */
@ApplicationScoped
public class LedgerPruner {

    private static final Logger LOG = Logger.getLogger(LedgerPruner.class);
    /** How often old rows are looked for. */
    static final Duration INTERVAL = Duration.ofHours(1);
    /** Rows deleted per transaction: a few hundred milliseconds of work. */
    static final int BATCH = 5_000;
    /** The longest one batch's statement may run before PostgreSQL cancels it. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(30);
    /** A run starts no new batch after this long; what is left waits for the next run. */
    static final Duration RUN_DEADLINE = Duration.ofMinutes(5);

    private static final String DELETE_OLDEST = """
            delete from delivery_ledger l using (
                select queue_id, recipient from delivery_ledger where recorded_at < $1 order by recorded_at limit $2
                for update skip locked) old
            where l.queue_id = old.queue_id and l.recipient = old.recipient""";

    private final Vertx vertx;
    private final Pool pool;
    private final Duration retention;
    private long timer = -1;
    private boolean running;

    public LedgerPruner(Vertx vertx, Pool pool, DeliveryConfig config) {
        this.vertx = vertx;
        this.pool = pool;
        this.retention = config.ledger().retention();
    }

    void start(@Observes StartupEvent startup) {
        vertx.getOrCreateContext().runOnContext(v -> timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> run()));
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** One run, unless the last one is still going; its failures are logged, and the next run tries again. */
    private void run() {
        if (running) {
            return;
        }
        running = true;
        prune(Instant.now().minus(retention), BATCH, Instant.now().plus(RUN_DEADLINE))
                .onComplete(pruned -> {
                    running = false;
                    if (pruned.failed()) {
                        LOG.warnf("pruning the delivery ledger failed, the next run goes on: %s", pruned.cause().toString());
                    } else if (pruned.result() > 0) {
                        LOG.infof("delivery ledger: %d rows recorded more than %s ago forgotten", pruned.result(), retention);
                    }
                });
    }

    /** Deletes rows recorded before {@code cutoff}, {@code batch} per transaction, until none is left or {@code deadline}; the count deleted. */
    Future<Long> prune(Instant cutoff, int batch, Instant deadline) {
        return pool.withTransaction(connection -> connection
                        .query("set local statement_timeout = " + STATEMENT_TIMEOUT.toMillis()).execute()
                        .compose(v -> connection.preparedQuery(DELETE_OLDEST).execute(Tuple.of(cutoff.atOffset(ZoneOffset.UTC), batch))))
                .compose(rows -> {
                    long deleted = rows.rowCount();
                    if (deleted < batch || !Instant.now().isBefore(deadline)) {
                        return Future.succeededFuture(deleted);
                    }
                    return prune(cutoff, batch, deadline).map(more -> deleted + more);
                });
    }
}
