package dev.mailgateway.worker.qmgr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import dev.mailgateway.worker.DeliveryConfig;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.queue.ClaimKeeper;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.queue.DeliveryQueue;
import dev.mailgateway.worker.queue.VerdictWriter;
import dev.mailgateway.worker.remote.MxResolver;
import dev.mailgateway.worker.remote.RelayClient;
import dev.mailgateway.worker.remote.RelayClient.Delivery;

/**
 * The worker's queue manager, as Postfix's qmgr (ARCHITECTURE decision 5):
 * every poll, or sooner when woken, it claims due queue rows, groups them into
 * one {@link RelayJob} per message and destination domain, and queues each
 * job on its domain's {@link DestinationQueue}, which decides how many run at
 * once and whether the site is dead. The {@link JobRunner} relays a job, the
 * {@link JobRecorder} writes its verdicts, and failed rows go to the
 * {@link Bouncer}. All of it runs on one Vert.x context, so its bookkeeping
 * needs no locks.
 *
 * <p>Every job ends and gives back its connection slot and its claimed rows.
 * Its claims are renewed while it runs or waits ({@link ClaimKeeper}) and
 * confirmed right before each transaction, so a replica that lost a claim
 * sends nothing more, and its verdicts are retried until written (this
 * replica never claims those rows again meanwhile). What remains is the
 * window between a remote 250 to the end of data and the commit of its
 * verdict (a round trip to PostgreSQL, milliseconds; as long as PostgreSQL is
 * unreachable, if it is then): a replica killed inside it leaves the row to
 * be relayed again when its lease runs out, and with several replicas a
 * PostgreSQL outage longer than two thirds of the lease may let another
 * replica claim the row before the verdict lands. SMTP itself has the same
 * window (RFC 1047).
 */
@ApplicationScoped
public class QueueManager {

    private static final Logger LOG = Logger.getLogger(QueueManager.class);
    /** How often the queue depth and oldest age gauges are read. */
    static final Duration DEPTH_REFRESH = Duration.ofSeconds(15);
    /** How long a stopping worker waits for relays in flight. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** How long wake-ups are gathered before one look at the queue. */
    static final Duration WAKE_COALESCING = Duration.ofMillis(20);
    /**
     * Dead sites remembered at once. Each is left out of every claim by name, so
     * a sender spraying mail at unreachable domains must not grow the claim's
     * query and the heap without bound: past it, idle dead sites are forgotten,
     * and dialled again when their rows come due.
     */
    static final int MAX_DEAD_SITES = 1_000;

    private final Vertx vertx;
    private final DeliveryQueue queue;
    private final Bouncer bouncer;
    private final WorkerMetrics metrics;
    private final DeliveryConfig.Scheduler settings;
    private final DeliveryConfig.Relay relaySettings;
    private final long suspensionNanos;
    private final ClaimKeeper claims;
    private final JobRunner runner;
    private final JobRecorder recorder;

    private final Map<String, DestinationQueue> destinations = new HashMap<>();
    /** Jobs whose relay is over and whose verdicts are being written. */
    private final Set<RelayJob> recording = new HashSet<>();
    /** A wake-up is scheduled: callers from other threads coalesce into one look. */
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private Context context;
    private long pollTimer;
    private long depthTimer;
    private long renewTimer;
    /** Rows claimed whose verdicts are not written yet: no more than the batch size are claimed. */
    private int claimedRows;
    private int runningJobs;
    /** Destinations dead now, for the gauge: counted on this context, read by the scraper. */
    private volatile int deadSites;
    private boolean claiming;
    /** The last claim filled its batch: more rows may be due than were taken. */
    private boolean moreDue;
    private boolean bouncing;
    private boolean stopping;

    public QueueManager(Vertx vertx, DeliveryQueue queue, MxResolver resolver, RelayClient relay, Bouncer bouncer,
            DeliveryEvents events, WorkerMetrics metrics, DeliveryConfig config) {
        this.vertx = vertx;
        this.queue = queue;
        this.bouncer = bouncer;
        this.metrics = metrics;
        this.settings = config.scheduler();
        this.relaySettings = config.relay();
        if (relaySettings.destinationConcurrency() < 1 || relaySettings.initialDestinationConcurrency() < 1) {
            // a window of 0 would hold every job of every destination for good
            throw new IllegalStateException("delivery.relay.destination-concurrency and initial-destination-concurrency must be at least 1");
        }
        this.suspensionNanos = config.retry().initial().toNanos();
        this.claims = new ClaimKeeper(queue, settings.claimLease());
        this.runner = new JobRunner(vertx, queue, resolver, relay, claims, metrics, relaySettings.jobDeadline());
        this.recorder = new JobRecorder(new VerdictWriter(vertx, queue), new RetryPolicy(config), bouncer, events, metrics, this::wake);
    }

    void start(@Observes StartupEvent startup) {
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            pollTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> poll());
            depthTimer = vertx.setPeriodic(0, DEPTH_REFRESH.toMillis(),
                    id -> queue.depth().onSuccess(depth -> metrics.queueDepth(depth.queued(), depth.oldest())));
            renewTimer = vertx.setPeriodic(claims.renewalInterval().toMillis(), id -> claims.renewAll()
                    .onSuccess(metrics::claimsLost)
                    .onFailure(e -> LOG.warnf("renewing the claims on queue rows failed, will retry: %s", e.toString())));
        });
        metrics.relayJobs(() -> claimedRows, () -> runningJobs, () -> deadSites);
    }

    /** Look at the queue now rather than at the next poll: new rows were queued or made due. */
    public void wake() {
        // every stored record with a remote recipient calls this: one look per short window, not one per record
        if (context != null && wakeScheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> vertx.setTimer(WAKE_COALESCING.toMillis(), id -> {
                wakeScheduled.set(false);
                poll();
            }));
        }
    }

    /**
     * Every due row now, dead sites included: they are tried again at once
     * rather than after their suspension, as Postfix's flush forgets its dead
     * destinations.
     */
    public void flush() {
        if (context != null) {
            context.runOnContext(v -> {
                destinations.values().forEach(DestinationQueue::revive);
                countDeadSites();
                wake();
            });
        }
    }

    private void poll() {
        if (stopping) {
            return;
        }
        if (!bouncing) {
            bouncing = true;
            bouncer.bounceFailed(messagesInFlight())
                    .onFailure(e -> LOG.warnf("bouncing failed recipients failed, will retry: %s", e.toString()))
                    .onComplete(done -> bouncing = false);
        }
        long now = System.nanoTime();
        destinations.values().removeIf(destination -> destination.forgettable(now));
        countDeadSites();
        if (deadSites > MAX_DEAD_SITES) {
            int[] over = {deadSites - MAX_DEAD_SITES};
            destinations.values().removeIf(destination -> over[0] > 0 && destination.isDead() && destination.idle() && over[0]-- > 0);
            countDeadSites();
        }
        claim();
    }

    private void countDeadSites() {
        deadSites = (int) destinations.values().stream().filter(DestinationQueue::isDead).count();
    }

    /** Claims due rows while there is room; called by the poll and whenever a domain's local backlog runs low. */
    private void claim() {
        int room = settings.batchSize() - claimedRows;
        if (stopping || claiming || room <= 0) {
            return;
        }
        claiming = true;
        long now = System.nanoTime();
        Set<String> backlogged = domains(DestinationQueue::backlogged);
        // a dead site's rows stay in the queue while it is suspended: another replica, or a flush here, may try them
        Set<String> leftOut = new HashSet<>(backlogged);
        leftOut.addAll(domains(destination -> destination.isSuspended(now)));
        queue.claimDue(leftOut, claims.heldIds(), room, settings.claimLease()).onComplete(claim -> {
            claiming = false;
            if (claim.failed()) {
                LOG.warnf("claiming due queue rows failed, will retry: %s", claim.cause().toString());
                return;
            }
            moreDue = mayBeMoreDue(claim.result().size(), room, backlogged);
            dispatch(claim.result());
        });
    }

    /**
     * Whether rows may be due that a claim did not take: it filled its room, or
     * it left out backlogged domains, whose rows are taken as their jobs finish.
     * Only a false here leaves the queue to the next poll.
     */
    static boolean mayBeMoreDue(int claimed, int room, Set<String> leftOut) {
        return claimed == room || !leftOut.isEmpty();
    }

    /** Messages with a job here: their bounce waits until all their recipients have a verdict. */
    private Set<String> messagesInFlight() {
        Set<String> queueIds = new HashSet<>();
        destinations.values().forEach(d -> d.forEachJob(job -> queueIds.add(job.queueId())));
        recording.forEach(job -> queueIds.add(job.queueId()));
        return queueIds;
    }

    private Set<String> domains(Predicate<DestinationQueue> which) {
        return destinations.entrySet().stream().filter(e -> which.test(e.getValue())).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    private void dispatch(List<ClaimedRecipient> rows) {
        claimedRows += rows.size();
        claims.hold(rows);
        Map<String, List<ClaimedRecipient>> byMessage = new LinkedHashMap<>();
        rows.forEach(row -> byMessage.computeIfAbsent(row.domain() + " " + row.queueId(), k -> new ArrayList<>()).add(row));
        for (List<ClaimedRecipient> jobRows : byMessage.values()) {
            String domain = jobRows.get(0).domain();
            destinations.computeIfAbsent(domain, d -> new DestinationQueue(relaySettings.destinationConcurrency(),
                    relaySettings.initialDestinationConcurrency(), suspensionNanos)).add(new RelayJob(domain, jobRows));
            pump(domain);
        }
    }

    /**
     * Starts the domain's jobs its window allows, and answers those of a dead
     * site without a dial. A job holds its slot only for the relay: its
     * verdicts are written while the connection already carries the next
     * message, and its rows count as claimed until they are.
     */
    private void pump(String domain) {
        DestinationQueue destination = destinations.get(domain);
        if (destination == null || stopping) {
            return;
        }
        long now = System.nanoTime();
        for (RelayJob job : destination.takeSuspended(now)) {
            record(job, JobRunner.allGet(job, destination.suspendedReply()).outcomes());
        }
        for (RelayJob job : destination.startable(now)) {
            runningJobs++;
            long started = System.nanoTime();
            runner.run(job).onComplete(ended -> {
                // the run never fails: every recipient has an outcome, by the job's hard end at the latest
                Delivery delivery = ended.result();
                runningJobs--;
                record(job, delivery.outcomes()).onSuccess(written -> metrics.relayed(System.nanoTime() - started));
                boolean wasDead = destination.isDead();
                destination.finished(job, delivery, System.nanoTime());
                if (destination.isDead() != wasDead) {
                    countDeadSites();
                }
                pump(domain);
            });
        }
    }

    /** Writes a job's verdicts and gives its rows back; fails when the verdicts could not be written. */
    private Future<Void> record(RelayJob job, Map<String, RelayClient.Outcome> outcomes) {
        recording.add(job);
        return JobRunner.guarded(() -> claims.settle(job.rows).compose(v -> recorder.record(job, outcomes))).onComplete(written -> {
            if (written.failed()) {
                metrics.relayInternalError("verdict");
                LOG.errorf(written.cause(), "recording the outcome of %s to %s failed", job.queueId(), job.domain);
            }
            recording.remove(job);
            claims.forget(job.rows);
            claimedRows -= job.rows.size();
            DestinationQueue now = destinations.get(job.domain);
            if (moreDue && (now == null || !now.backlogged())) {
                // a backlog is due: keep the destination's pipeline full without waiting for the next poll
                claim();
            }
        });
    }

    /** Claimed rows not started go back to the queue at once; relays in flight get a moment to finish. */
    void stop(@Observes @Priority(1) ShutdownEvent shutdown) {
        if (context == null) {
            return;
        }
        Promise<Void> stopped = Promise.promise();
        context.runOnContext(v -> {
            stopping = true;
            vertx.cancelTimer(pollTimer);
            vertx.cancelTimer(depthTimer);
            vertx.cancelTimer(renewTimer);
            List<ClaimedRecipient> unstarted = new ArrayList<>();
            destinations.values().forEach(d -> d.takeWaiting().forEach(job -> unstarted.addAll(job.rows)));
            claims.forget(unstarted);
            Future<Void> released = unstarted.isEmpty() ? Future.succeededFuture() : queue.release(unstarted);
            released.onComplete(r -> waitForRelays(stopped, System.nanoTime() + STOP_GRACE.toNanos()));
        });
        try {
            stopped.future().toCompletionStage().toCompletableFuture().get(STOP_GRACE.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("relays still in flight at shutdown; their rows come back after the claim lease: %s", e.toString());
        }
    }

    private void waitForRelays(Promise<Void> stopped, long deadline) {
        boolean idle = recording.isEmpty() && destinations.values().stream().noneMatch(DestinationQueue::hasRunning);
        if (idle || System.nanoTime() > deadline) {
            stopped.tryComplete();
        } else {
            vertx.setTimer(100, id -> waitForRelays(stopped, deadline));
        }
    }
}
