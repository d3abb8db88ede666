package dev.mailgateway.worker.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Writes relay verdicts in groups: verdicts that arrive while a write is in
 * flight go together in the next transaction, so a busy relay costs one
 * commit per group rather than one per message. A failed write is tried
 * again a few times with backoff; a verdict never written leaves its row to
 * the claim lease (and a second relay), so it is worth the wait. Used from
 * one Vert.x context.
 */
public final class VerdictWriter {

    private static final Logger LOG = Logger.getLogger(VerdictWriter.class);
    /** Verdicts in one transaction at most. */
    static final int MAX_GROUP = 500;
    static final int TRIES = 6;

    private final Vertx vertx;
    private final DeliveryQueue queue;
    private final ArrayDeque<Request> pending = new ArrayDeque<>();
    private boolean writing;

    /** One caller's verdicts and its promise. */
    private record Request(List<Verdict> verdicts, Promise<Void> written) {
    }

    public VerdictWriter(Vertx vertx, DeliveryQueue queue) {
        this.vertx = vertx;
        this.queue = queue;
    }

    /** Completes when the verdicts are committed. */
    public Future<Void> write(List<Verdict> verdicts) {
        Request request = new Request(verdicts, Promise.promise());
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
        while (!pending.isEmpty() && (verdicts.isEmpty() || verdicts.size() + pending.peek().verdicts().size() <= MAX_GROUP)) {
            Request request = pending.poll();
            group.add(request);
            verdicts.addAll(request.verdicts());
        }
        tryWrite(verdicts, 0).onComplete(done -> {
            group.forEach(request -> request.written().handle(done));
            flush();
        });
    }

    private Future<Void> tryWrite(List<Verdict> group, int tries) {
        return queue.record(group).recover(e -> {
            if (tries + 1 >= TRIES) {
                LOG.errorf("%d verdicts not written, their rows come back after the claim lease: %s", group.size(), e.toString());
                return Future.failedFuture(e);
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(250L << tries, id -> tryWrite(group, tries + 1).onComplete(later));
            return later.future();
        });
    }
}
