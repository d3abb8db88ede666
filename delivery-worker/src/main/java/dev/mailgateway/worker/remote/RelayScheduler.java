package dev.mailgateway.worker.remote;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.common.store.MessageSource;
import dev.mailgateway.worker.DeliveryConfig;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.events.DeliveryEvent;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.queue.Backoff;
import dev.mailgateway.worker.queue.ClaimKeeper;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.queue.DeliveryQueue;
import dev.mailgateway.worker.queue.Verdict;
import dev.mailgateway.worker.queue.VerdictWriter;

/**
 * The relay side of the worker, as Postfix's qmgr (ARCHITECTURE decision 5):
 * every poll it claims due queue rows, groups them into one job per message
 * and destination domain, runs at most {@code destination-concurrency} jobs
 * per domain at a time, and writes each job's verdicts back. Failed rows are
 * handed to the {@link Bouncer}. All of it runs on one Vert.x context, so its
 * bookkeeping needs no locks.
 *
 * <p>Every job ends, and gives back its connection slot and its claimed rows:
 * whatever its resolver, client or verdict code throws or fails with becomes a
 * temporary outcome for its recipients (counted as
 * {@code delivery.relay.internal.errors}), and past
 * {@code delivery.relay.job-deadline} it starts no further transaction. Its
 * claims are renewed while it runs or waits ({@link ClaimKeeper}) and confirmed
 * right before each transaction, so a replica that lost a claim sends nothing
 * more, and its verdicts are retried until written (this replica never claims
 * those rows again meanwhile). What remains is the
 * window between a remote 250 to the end of data and the commit of its verdict
 * (a round trip to PostgreSQL, milliseconds; as long as PostgreSQL is
 * unreachable, if it is then): a replica killed inside it leaves the row to
 * be relayed again when its lease runs out, and with several replicas a
 * PostgreSQL outage longer than two thirds of the lease may let another
 * replica claim the row before the verdict lands. SMTP itself has the same
 * window (RFC 1047).
 */
@ApplicationScoped
public class RelayScheduler {

    private static final Logger LOG = Logger.getLogger(RelayScheduler.class);
    /** How long a resolved route is reused for further messages to the domain. */
    static final Duration ROUTE_CACHE_TIME = Duration.ofSeconds(60);
    /** How often the queue depth and oldest age gauges are read. */
    static final Duration DEPTH_REFRESH = Duration.ofSeconds(15);
    /** How long a stopping worker waits for relays in flight. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** How long wake-ups are gathered before one look at the queue. */
    static final Duration WAKE_COALESCING = Duration.ofMillis(20);
    static final SmtpReply CLAIM_LOST = SmtpReply.of(451, "4.3.0", "not sent: the queue row was claimed by another attempt");
    static final SmtpReply OVERDUE = SmtpReply.of(451, "4.4.1", "not sent: no host took the message within delivery.relay.job-deadline");

    private final Vertx vertx;
    private final DeliveryQueue queue;
    private final MxResolver resolver;
    private final RelayClient relay;
    private final Bouncer bouncer;
    private final DeliveryEvents events;
    private final WorkerMetrics metrics;
    private final DeliveryConfig.Scheduler settings;
    private final int destinationConcurrency;
    private final Backoff backoff;
    private final VerdictWriter verdictWriter;
    private final ClaimKeeper claims;
    private final Duration jobDeadline;
    /** Null: no delay warnings. */
    private final Duration delayWarning;
    private final Duration lifetime;

    private final Map<String, Destination> destinations = new HashMap<>();
    private final Map<String, CachedRoute> routes = new HashMap<>();
    /** Jobs whose transaction is over and whose verdicts are being written. */
    private final Set<Job> recording = jobSet();
    private Context context;
    private long pollTimer;
    private long depthTimer;
    private long renewTimer;
    /** Rows claimed whose verdicts are not written yet: the scheduler claims no more than its batch size. */
    private int claimedRows;
    private int runningJobs;
    private boolean claiming;
    /** The last claim filled its batch: more rows may be due than were taken. */
    private boolean moreDue;
    /** A wake-up is scheduled: callers from other threads coalesce into one look. */
    private final java.util.concurrent.atomic.AtomicBoolean wakeScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean bouncing;
    private boolean stopping;

    /** One message's recipients at one domain: one relay attempt. */
    private static final class Job {
        private final String domain;
        private final List<ClaimedRecipient> rows;
        /** Past the job deadline: no further transaction starts. */
        private boolean overdue;

        Job(String domain, List<ClaimedRecipient> rows) {
            this.domain = domain;
            this.rows = rows;
        }

        String domain() {
            return domain;
        }

        List<ClaimedRecipient> rows() {
            return rows;
        }
    }

    /** A domain's jobs: those running and those waiting for a free connection. */
    private static final class Destination {
        final Set<Job> running = jobSet();
        final Deque<Job> waiting = new ArrayDeque<>();
    }

    /** Jobs are told apart by identity: equal rows are never two jobs, and hashing a job would hash its message. */
    private static Set<Job> jobSet() {
        return java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    private record CachedRoute(Future<Route> route, Instant until) {
    }

    public RelayScheduler(Vertx vertx, DeliveryQueue queue, MxResolver resolver, RelayClient relay, Bouncer bouncer,
            DeliveryEvents events, WorkerMetrics metrics, DeliveryConfig config) {
        this.vertx = vertx;
        this.queue = queue;
        this.resolver = resolver;
        this.relay = relay;
        this.bouncer = bouncer;
        this.events = events;
        this.metrics = metrics;
        this.settings = config.scheduler();
        this.destinationConcurrency = config.relay().destinationConcurrency();
        this.backoff = new Backoff(config.retry());
        this.verdictWriter = new VerdictWriter(vertx, queue);
        this.claims = new ClaimKeeper(queue, settings.claimLease());
        this.jobDeadline = config.relay().jobDeadline();
        this.delayWarning = config.delayWarning().orElse(null);
        this.lifetime = config.retry().lifetime();
    }

    void start(@Observes StartupEvent startup) {
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            pollTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), id -> poll());
            depthTimer = vertx.setPeriodic(0, DEPTH_REFRESH.toMillis(), id -> queue.depth().onSuccess(metrics::queueDepth));
            renewTimer = vertx.setPeriodic(claims.renewalInterval().toMillis(), id -> claims.renewAll()
                    .onSuccess(metrics::claimsLost)
                    .onFailure(e -> LOG.warnf("renewing the claims on queue rows failed, will retry: %s", e.toString())));
        });
        metrics.relayJobs(() -> claimedRows, () -> runningJobs);
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
        claim();
    }

    /** Claims due rows while there is room; called by the poll and whenever a domain's local backlog runs low. */
    private void claim() {
        int room = settings.batchSize() - claimedRows;
        if (stopping || claiming || room <= 0) {
            return;
        }
        claiming = true;
        Set<String> busy = busyDomains();
        queue.claimDue(busy, claims.heldIds(), room, settings.claimLease()).onComplete(claim -> {
            claiming = false;
            if (claim.failed()) {
                LOG.warnf("claiming due queue rows failed, will retry: %s", claim.cause().toString());
                return;
            }
            moreDue = mayBeMoreDue(claim.result().size(), room, busy);
            dispatch(claim.result());
        });
    }

    /**
     * Whether rows may be due that a claim did not take: it filled its room, or
     * it left out busy domains, whose backlog is taken as their jobs finish.
     * Only a false here leaves the queue to the next poll.
     */
    static boolean mayBeMoreDue(int claimed, int room, Set<String> leftOut) {
        return claimed == room || !leftOut.isEmpty();
    }

    /** Messages with a job running or waiting here: their bounce waits until all their recipients have a verdict. */
    private Set<String> messagesInFlight() {
        Set<String> queueIds = new java.util.HashSet<>();
        destinations.values().forEach(d -> {
            d.running.forEach(job -> queueIds.add(job.rows().get(0).queueId()));
            d.waiting.forEach(job -> queueIds.add(job.rows().get(0).queueId()));
        });
        recording.forEach(job -> queueIds.add(job.rows().get(0).queueId()));
        return queueIds;
    }

    /** Domains with a full round of jobs waiting here already: claiming more of them would only make rows wait. */
    private Set<String> busyDomains() {
        return destinations.entrySet().stream()
                .filter(e -> e.getValue().waiting.size() >= destinationConcurrency)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    private void dispatch(List<ClaimedRecipient> rows) {
        claimedRows += rows.size();
        claims.hold(rows);
        Map<String, List<ClaimedRecipient>> byMessage = new LinkedHashMap<>();
        rows.forEach(row -> byMessage.computeIfAbsent(row.domain() + " " + row.queueId(), k -> new ArrayList<>()).add(row));
        for (List<ClaimedRecipient> jobRows : byMessage.values()) {
            String domain = jobRows.get(0).domain();
            destinations.computeIfAbsent(domain, d -> new Destination()).waiting.add(new Job(domain, jobRows));
            pump(domain);
        }
    }

    /**
     * Starts waiting jobs while the domain has a free connection. A job holds
     * its connection only for the SMTP transaction: its verdicts are written
     * while the connection already carries the next message, and its rows
     * count as claimed until they are.
     */
    private void pump(String domain) {
        Destination destination = destinations.get(domain);
        while (!stopping && destination.running.size() < destinationConcurrency && !destination.waiting.isEmpty()) {
            Job job = destination.waiting.poll();
            destination.running.add(job);
            runningJobs++;
            long started = System.nanoTime();
            run(job).onComplete(outcomes -> {
                destination.running.remove(job);
                runningJobs--;
                recording.add(job);
                guarded(() -> claims.settle(job.rows()).compose(v -> record(job, outcomes.result(), started))).onComplete(written -> {
                    if (written.failed()) {
                        metrics.relayInternalError("verdict");
                        LOG.errorf(written.cause(), "recording the outcome of %s to %s failed", job.rows().get(0).queueId(), domain);
                    }
                    recording.remove(job);
                    claims.forget(job.rows());
                    claimedRows -= job.rows().size();
                    Destination now = destinations.get(domain);
                    if (moreDue && (now == null || now.waiting.size() < destinationConcurrency)) {
                        // a backlog is due: keep the destination's pipeline full without waiting for the next poll
                        claim();
                    }
                });
                if (destination.running.isEmpty() && destination.waiting.isEmpty()) {
                    destinations.remove(domain);
                } else {
                    pump(domain);
                }
            });
        }
    }

    /**
     * Every recipient's outcome, by the job's hard end at the latest; never
     * fails: our own trouble (the body could not be read, a resolver or client
     * that throws, a bug) is a temporary outcome for all, and the rows are
     * tried again later. The deadline stops new transactions; the hard end,
     * which only a future that never completes can reach, comes after the
     * longest a transaction begun just before the deadline may take.
     */
    private Future<Map<String, RelayClient.Outcome>> run(Job job) {
        Promise<Map<String, RelayClient.Outcome>> ended = Promise.promise();
        long deadline = vertx.setTimer(jobDeadline.toMillis(), id -> job.overdue = true);
        long hardEnd = vertx.setTimer(jobDeadline.plus(relay.longestTransaction(job.rows().size())).toMillis(), id -> {
            if (ended.tryComplete(allGet(job, OVERDUE))) {
                metrics.relayInternalError("deadline");
                LOG.errorf("relay of %s to %s still running at its hard end; abandoned", job.rows().get(0).queueId(), job.domain());
            }
        });
        guarded(() -> attempt(job)).onComplete(done -> {
            vertx.cancelTimer(deadline);
            vertx.cancelTimer(hardEnd);
            if (done.succeeded()) {
                ended.tryComplete(done.result());
                return;
            }
            metrics.relayInternalError("relay");
            LOG.warnf(done.cause(), "relay of %s to %s failed", job.rows().get(0).queueId(), job.domain());
            ended.tryComplete(allGet(job, SmtpReply.of(451, "4.3.0", "local error in processing: " + done.cause())));
        });
        return ended.future();
    }

    private Future<Map<String, RelayClient.Outcome>> attempt(Job job) {
        return route(job.domain()).compose(route -> route instanceof Route.Hosts hosts ? send(job, hosts.hops())
                : Future.succeededFuture(allGet(job, ((Route.Unroutable) route).reply())));
    }

    private Future<Map<String, RelayClient.Outcome>> send(Job job, List<NextHop> hops) {
        ClaimedRecipient first = job.rows().get(0);
        MessageSource body = first.content() != null ? MessageSource.of(first.content()) : queue.body(first.bodyId());
        Future<Boolean> eightBit = first.eightBit() != null ? Future.succeededFuture(first.eightBit())
                : OutboundMessage.hasEightBitOctets(body, first.sizeBytes());
        return eightBit.compose(found -> relay.deliver(job.domain(), hops, new OutboundMessage(first.queueId(), first.sender(),
                job.rows().stream().map(r -> new OutboundMessage.Recipient(r.recipient(), r.dsnNotify(), r.orcpt())).toList(),
                body, first.sizeBytes(), found, first.smtpUtf8(), first.ret(), first.envid()), () -> mayStart(job)));
    }

    /** The job's gate before each transaction: not past its deadline, and every row still claimed by it (renewed now). */
    private Future<Void> mayStart(Job job) {
        if (job.overdue) {
            return Future.failedFuture(new RelayClient.Stop(OVERDUE));
        }
        return claims.confirm(job.rows()).transform(confirmed -> {
            if (confirmed.failed()) {
                return Future.failedFuture(new RelayClient.Stop(CLAIM_LOST.withText("not sent: the claim on the queue row could not be confirmed ("
                        + confirmed.cause() + ")")));
            }
            if (!confirmed.result()) {
                return Future.failedFuture(new RelayClient.Stop(CLAIM_LOST));
            }
            return job.overdue ? Future.failedFuture(new RelayClient.Stop(OVERDUE)) : Future.succeededFuture();
        });
    }

    /**
     * {@code work}'s future, or a failed one when it throws instead of failing
     * it (as a DNS client does on a name it cannot encode): the job's bookkeeping never
     * depends on the code it runs keeping to the rules.
     */
    static <T> Future<T> guarded(java.util.function.Supplier<Future<T>> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<Void> record(Job job, Map<String, RelayClient.Outcome> outcomes, long started) {
        Instant now = Instant.now();
        List<Verdict> verdicts = job.rows().stream().map(row -> judge(row, outcomes.get(row.recipient()), now)).toList();
        // a step of the future, not a handler on it: what the announcement throws reaches the job's bookkeeping
        return verdictWriter.write(verdicts).compose(v -> {
            metrics.relayed(System.nanoTime() - started);
            for (Verdict verdict : verdicts) {
                // a relayed recipient is a delivered one for the metrics and mail.events (CONTRACT); only its report differs
                String result = (verdict.kind() == Verdict.Kind.RELAYED ? Verdict.Kind.DELIVERED : verdict.kind()).name().toLowerCase(java.util.Locale.ROOT);
                metrics.outcome("remote", result, 1);
                events.publish(DeliveryEvent.of(verdict.row().queueId(), verdict.row().recipient(), "remote", result,
                        verdict.status(), verdict.remoteMta(), verdict.row().attempts()));
                LOG.debugf("%s to <%s>: %s (%s)", verdict.row().queueId(), verdict.row().recipient(), result, verdict.reply().summary());
            }
            if (verdicts.stream().anyMatch(verdict -> verdict.kind() == Verdict.Kind.FAILED || verdict.kind() == Verdict.Kind.RELAYED)) {
                wake();
            }
            List<Verdict> delayed = verdicts.stream().filter(Verdict::warnDelay).toList();
            if (!delayed.isEmpty()) {
                // advisory: the flag is committed first, so a warning is sent at most once, and a lost one is only logged
                bouncer.warnDelayed(delayed, delayed.get(0).row().receivedAt().plus(lifetime))
                        .onFailure(e -> LOG.warnf("delay warning for %s not sent: %s", delayed.get(0).row().queueId(), e.toString()));
            }
            return Future.<Void>succeededFuture();
        });
    }

    /** 2xx delivered, 5xx failed, 4xx deferred until the message's lifetime is over (then 4.4.7). */
    Verdict judge(ClaimedRecipient row, RelayClient.Outcome outcome, Instant now) {
        SmtpReply reply = outcome.reply();
        if (reply.isPositive()) {
            boolean reportRelay = !outcome.dsnOffered() && !row.sender().isEmpty() && Bouncer.wantsSuccessReport(row.dsnNotify());
            return new Verdict(row, reportRelay ? Verdict.Kind.RELAYED : Verdict.Kind.DELIVERED, reply, status(reply, "2.0.0"),
                    outcome.remoteMta(), null, false);
        }
        if (reply.isPermanent()) {
            return new Verdict(row, Verdict.Kind.FAILED, reply, status(reply, "5.0.0"), outcome.remoteMta(), null, false);
        }
        if (backoff.expired(row.receivedAt(), now)) {
            return new Verdict(row, Verdict.Kind.FAILED, reply, "4.4.7", outcome.remoteMta(), null, false);
        }
        boolean warnDelay = delayWarning != null && !row.delayWarned() && !row.sender().isEmpty()
                && !now.isBefore(row.receivedAt().plus(delayWarning)) && Bouncer.wantsDelayReport(row.dsnNotify());
        return new Verdict(row, Verdict.Kind.DEFERRED, reply, status(reply, "4.0.0"), outcome.remoteMta(),
                backoff.nextAttempt(row.attempts(), row.receivedAt(), now), warnDelay);
    }

    private static String status(SmtpReply reply, String fallback) {
        return reply.enhanced() != null ? reply.enhanced() : fallback;
    }

    private Future<Route> route(String domain) {
        Instant now = Instant.now();
        CachedRoute cached = routes.get(domain);
        if (cached != null && now.isBefore(cached.until())) {
            return cached.route();
        }
        Future<Route> route = resolver.resolve(domain);
        routes.put(domain, new CachedRoute(route, now.plus(ROUTE_CACHE_TIME)));
        // a temporary DNS failure is asked again next time
        route.onSuccess(r -> {
            if (r instanceof Route.Unroutable u && u.reply().isTransient()) {
                routes.remove(domain);
            }
        });
        if (routes.size() > 10_000) {
            routes.entrySet().removeIf(e -> now.isAfter(e.getValue().until()));
        }
        return route;
    }

    private static Map<String, RelayClient.Outcome> allGet(Job job, SmtpReply reply) {
        Map<String, RelayClient.Outcome> outcomes = new LinkedHashMap<>();
        job.rows().forEach(row -> outcomes.put(row.recipient(), new RelayClient.Outcome(reply, null, false)));
        return outcomes;
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
            destinations.values().forEach(d -> d.waiting.forEach(job -> unstarted.addAll(job.rows())));
            destinations.values().forEach(d -> d.waiting.clear());
            claims.forget(unstarted);
            Future<Void> released = unstarted.isEmpty() ? Future.succeededFuture() : queue.release(unstarted);
            released.onComplete(r -> waitForRelays(stopped, System.nanoTime() + STOP_GRACE.toNanos()));
        });
        try {
            stopped.future().toCompletionStage().toCompletableFuture().get(STOP_GRACE.toSeconds() + 5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("relays still in flight at shutdown; their rows come back after the claim lease: %s", e.toString());
        }
    }

    private void waitForRelays(Promise<Void> stopped, long deadline) {
        boolean idle = recording.isEmpty() && destinations.values().stream().allMatch(d -> d.running.isEmpty());
        if (idle || System.nanoTime() > deadline) {
            stopped.tryComplete();
        } else {
            vertx.setTimer(100, id -> waitForRelays(stopped, deadline));
        }
    }
}
