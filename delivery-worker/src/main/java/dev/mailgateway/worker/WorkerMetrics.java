package dev.mailgateway.worker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Mail metrics of the worker (ARCHITECTURE decision 12): records consumed,
 * recipient outcomes by route and result, relay latency, bounces, and the
 * deferred queue's depth and oldest age. Tags are bounded sets.
 */
@ApplicationScoped
public class WorkerMetrics {

    private final MeterRegistry registry;
    private final Timer relayLatency;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong oldestSeconds = new AtomicLong();

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.relayLatency = Timer.builder("delivery.relay.latency")
                .description("One relay attempt: MX lookup, connection, transaction, verdicts written")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("delivery.queue.depth", queued, AtomicLong::get)
                .description("Remote recipients in the delivery queue, waiting for an attempt").register(registry);
        Gauge.builder("delivery.queue.oldest.seconds", oldestSeconds, AtomicLong::get)
                .description("Age of the oldest message with a recipient in the delivery queue").register(registry);
    }

    /** A record handled: stored, or a replay that a ledger showed handled before. */
    public void stored(boolean replay) {
        registry.counter("delivery.records", "result", replay ? "replay" : "stored").increment();
    }

    public void deadLettered() {
        registry.counter("delivery.records", "result", "dead-letter").increment();
    }

    /** A failed try that will be retried: "store" (database) or "dead-letter" (Kafka). */
    public void retried(String work) {
        registry.counter("delivery.retries", "work", work).increment();
    }

    /** Recipients by route (local, remote) and result (delivered, queued, deferred, failed, unknown-user). */
    public void outcome(String route, String result, int count) {
        if (count > 0) {
            registry.counter("delivery.outcomes", "route", route, "result", result).increment(count);
        }
    }

    public void relayed(long nanos) {
        relayLatency.record(Duration.ofNanos(nanos));
    }

    /**
     * A relay job's own failure, made a temporary outcome for its recipients:
     * stage "relay" (resolving, connecting, the dialogue), "deadline" (a relay
     * that never ended) or "verdict" (recording the outcome). A bug or a broken
     * dependency to look into, never a lost message.
     */
    public void relayInternalError(String stage) {
        registry.counter("delivery.relay.internal.errors", "stage", stage).increment();
    }

    /** Claims this replica found taken over while it held them: its jobs on those rows sent nothing more. */
    public void claimsLost(int count) {
        if (count > 0) {
            registry.counter("delivery.relay.claims.lost").increment(count);
        }
    }

    /** The queue manager's load, read when scraped: rows claimed whose verdicts are not written, jobs relaying, dead sites. */
    public void relayJobs(Supplier<Number> claimedRows, Supplier<Number> runningJobs, Supplier<Number> deadSites) {
        Gauge.builder("delivery.relay.claimed", claimedRows).description("Queue rows claimed whose verdicts are not written yet").register(registry);
        Gauge.builder("delivery.relay.running", runningJobs).description("Relay jobs holding a connection slot").register(registry);
        Gauge.builder("delivery.relay.destinations.dead", deadSites)
                .description("Destinations whose servers could not be reached: their mail waits without a dial until a probe gets through")
                .register(registry);
    }

    /** A DKIM signature put on relayed mail, by algorithm (rsa-sha256, ed25519-sha256). */
    public void dkimSigned(String algorithm) {
        registry.counter("delivery.dkim.signed", "algorithm", algorithm).increment();
    }

    public void bounced() {
        registry.counter("delivery.dsn.sent").increment();
    }

    /** The delivery queue's remote recipients and the age of its oldest message. */
    public void queueDepth(long recipients, Duration oldest) {
        queued.set(recipients);
        oldestSeconds.set(oldest.toSeconds());
    }
}
