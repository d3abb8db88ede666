package dev.mailgateway.worker.queue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;

/**
 * Writes relay verdicts in groups: verdicts that arrive while a write is in
 * flight go together in the next transaction, so a busy relay costs one
 * commit per group rather than one per message. A write that fails for want
 * of the database is tried again, with backoff, until it is written: the
 * claims on its rows are renewed meanwhile ({@link ClaimKeeper}), a verdict
 * written after a lease ran out is still right (see {@link DeliveryQueue#record}),
 * and a verdict never written would send the message again. A write the
 * database refuses outright is split, so that one bad verdict never holds up
 * the others, and the request that holds it fails. Used from one Vert.x context.
 */
public final class VerdictWriter {

    private static final Logger LOG = Logger.getLogger(VerdictWriter.class);
    /** Verdicts in one transaction at most. */
    static final int MAX_GROUP = 500;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    /** Longest pause between tries: a database back from a stall gets the verdicts within it, before most claims by others. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    /** SQLSTATE classes of errors that pass (connection, rollback, resources, operator, system): worth another try. */
    private static final Set<String> TRANSIENT_STATES = Set.of("08", "40", "53", "57", "58");

    private final Vertx vertx;
    private final DeliveryQueue queue;
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    private boolean writing;

    /** One caller's verdicts and its promise; {@code alone}: written in a transaction of its own. */
    private record Request(List<Verdict> verdicts, Promise<Void> written, boolean alone) {
    }

    public VerdictWriter(Vertx vertx, DeliveryQueue queue) {
        this.vertx = vertx;
        this.queue = queue;
    }

    /** Completes when the verdicts are committed; fails only when the database refused them outright. */
    public Future<Void> write(List<Verdict> verdicts) {
        Request request = new Request(verdicts, Promise.promise(), false);
        pending.add(request);
        if (!writing) {
            flush();
        }
        return request.written().future();
    }

    private void flush() {
        if (pending.isEmpty()) {
            writing = false;
            return;
        }
        writing = true;
        List<Request> group = new ArrayList<>();
        List<Verdict> verdicts = new ArrayList<>();
        while (!pending.isEmpty() && (group.isEmpty() || !pending.peek().alone() && !group.get(0).alone()
                && verdicts.size() + pending.peek().verdicts().size() <= MAX_GROUP)) {
            Request request = pending.poll();
            group.add(request);
            verdicts.addAll(request.verdicts());
        }
        tryWrite(verdicts, FIRST_BACKOFF).onComplete(done -> {
            if (done.failed() && group.size() > 1) {
                for (int i = group.size() - 1; i >= 0; i--) {
                    pending.addFirst(new Request(group.get(i).verdicts(), group.get(i).written(), true));
                }
            } else {
                group.forEach(request -> request.written().handle(done));
            }
            flush();
        });
    }

    private Future<Void> tryWrite(List<Verdict> group, Duration backoff) {
        Future<Void> written;
        try {
            written = queue.record(group);
        } catch (RuntimeException e) {
            // verdicts that cannot even be put into a statement: a bug, which another try would only repeat
            LOG.errorf(e, "%d verdicts could not be written", group.size());
            return Future.failedFuture(e);
        }
        return written.recover(e -> {
            if (!passes(e)) {
                LOG.errorf("%d verdicts refused by the database: %s", group.size(), e.toString());
                return Future.failedFuture(e);
            }
            LOG.warnf("%d verdicts not written yet, trying again in %d ms: %s", group.size(), backoff.toMillis(), e.toString());
            Promise<Void> later = Promise.promise();
            Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            vertx.setTimer(backoff.toMillis(), id -> tryWrite(group, next).onComplete(later));
            return later.future();
        });
    }

    /** A failure of reaching or of keeping the database, not a refusal of what was written. */
    static boolean passes(Throwable e) {
        return !(e instanceof PgException pg) || pg.getSqlState() == null || TRANSIENT_STATES.contains(pg.getSqlState().substring(0, 2));
    }
}
