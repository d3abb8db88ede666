package dev.mailgateway.worker.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * Holds this replica's claims on queue rows from the claim until their
 * verdicts are written: renews them every third of the lease, so a job may
 * take longer than the lease (a slow end of data, a wait behind the
 * per-domain limit, a database stall shorter than two thirds of the lease), and
 * confirms them right before each mail transaction, so a job whose rows were
 * claimed by someone else since sends nothing. Both are one statement for
 * every row asked about at once (renew-and-verify by the claim's token, see
 * {@link DeliveryQueue}). Once a job's verdicts go to be written its rows are
 * settled: no longer renewed, as a renewal that reached a row after its
 * deferral would move the next attempt from the backoff to a lease ahead; a
 * verdict written after the lease is still right ({@link DeliveryQueue#record}).
 * Used from one Vert.x context.
 */
public final class ClaimKeeper {

    private static final Logger LOG = Logger.getLogger(ClaimKeeper.class);
    /** Renewals per lease: a claim outlives two renewals in a row that could not reach the database. */
    public static final int RENEWALS_PER_LEASE = 3;

    private final DeliveryQueue queue;
    private final Duration lease;
    /** Claims of jobs running or waiting: renewed. */
    private final Map<Long, ClaimedRecipient> held = new LinkedHashMap<>();
    /** Claims whose verdicts are being written: not renewed, never claimed again here. */
    private final Set<Long> settling = new HashSet<>();
    /** Rows asked about while a renewal is in flight: they go together in the next one. */
    private final List<Ask> asked = new ArrayList<>();
    /** The rows of the renewal in flight, and its end; empty and null when none is. */
    private Set<Long> renewingIds = Set.of();
    private Promise<Void> renewed;
    private boolean renewingAll;

    private record Ask(List<ClaimedRecipient> rows, Promise<Set<Long>> ours) {
    }

    public ClaimKeeper(DeliveryQueue queue, Duration lease) {
        this.queue = queue;
        this.lease = lease;
    }

    /** How often {@link #renewAll()} is to run. */
    public Duration renewalInterval() {
        return lease.dividedBy(RENEWALS_PER_LEASE);
    }

    public void hold(List<ClaimedRecipient> rows) {
        rows.forEach(row -> held.put(row.id(), row));
    }

    /**
     * The rows' verdicts go to be written: their claims are renewed no more.
     * Completes when no renewal of them is in flight, so that the verdict
     * lands after it.
     */
    public Future<Void> settle(List<ClaimedRecipient> rows) {
        rows.forEach(row -> {
            held.remove(row.id());
            settling.add(row.id());
        });
        return renewed != null && rows.stream().anyMatch(row -> renewingIds.contains(row.id())) ? renewed.future() : Future.succeededFuture();
    }

    /** The rows' verdicts are written (or they were released): nothing more to keep. */
    public void forget(List<ClaimedRecipient> rows) {
        rows.forEach(row -> {
            held.remove(row.id());
            settling.remove(row.id());
        });
    }

    /** Ids of the rows held or settling, which this replica must not claim a second time. */
    public Set<Long> heldIds() {
        Set<Long> ids = new HashSet<>(held.keySet());
        ids.addAll(settling);
        return ids;
    }

    /**
     * Renews the claims on {@code rows} now: true when every one is still ours
     * (and has a whole lease ahead), false when any was claimed again, deleted
     * or failed meanwhile; a failed future when the database could not say.
     */
    public Future<Boolean> confirm(List<ClaimedRecipient> rows) {
        return renew(rows).map(ours -> rows.stream().allMatch(row -> ours.contains(row.id())));
    }

    /**
     * Renews every claim held; those no longer ours (claimed again after a
     * renewal came too late, retried by an operator, deleted) are dropped, and
     * their jobs stop at their next {@link #confirm}. The number dropped.
     */
    public Future<Integer> renewAll() {
        List<ClaimedRecipient> rows = List.copyOf(held.values());
        if (rows.isEmpty() || renewingAll) {
            // one at a time: those a stalled database held up would otherwise all land and count together
            return Future.succeededFuture(0);
        }
        renewingAll = true;
        return renew(rows).onComplete(done -> renewingAll = false).map(ours -> {
            // rows settled meanwhile were left out of the renewal: their verdicts, not a takeover, decide them
            List<ClaimedRecipient> gone = rows.stream().filter(row -> held.containsKey(row.id()) && !ours.contains(row.id())).toList();
            if (!gone.isEmpty()) {
                forget(gone);
                LOG.warnf("%d claimed queue rows are no longer ours (first: %s to <%s>); their jobs send nothing more",
                        gone.size(), gone.get(0).queueId(), gone.get(0).recipient());
            }
            return gone.size();
        });
    }

    private Future<Set<Long>> renew(List<ClaimedRecipient> rows) {
        Promise<Set<Long>> ours = Promise.promise();
        asked.add(new Ask(rows, ours));
        if (renewed == null) {
            renewAsked();
        }
        return ours.future();
    }

    private void renewAsked() {
        if (asked.isEmpty()) {
            return;
        }
        List<Ask> group = List.copyOf(asked);
        asked.clear();
        Map<Long, ClaimedRecipient> rows = new LinkedHashMap<>();
        group.forEach(ask -> ask.rows().stream().filter(row -> held.containsKey(row.id())).forEach(row -> rows.put(row.id(), row)));
        if (rows.isEmpty()) {
            group.forEach(ask -> ask.ours().complete(Set.of()));
            renewAsked();
            return;
        }
        renewingIds = Set.copyOf(rows.keySet());
        renewed = Promise.promise();
        Future<Set<Long>> answer;
        try {
            answer = queue.renew(List.copyOf(rows.values()), lease);
        } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
        }
        answer.onComplete(done -> {
            Promise<Void> ended = renewed;
            renewingIds = Set.of();
            renewed = null;
            group.forEach(ask -> ask.ours().handle(done));
            ended.complete();
            renewAsked();
        });
    }
}
