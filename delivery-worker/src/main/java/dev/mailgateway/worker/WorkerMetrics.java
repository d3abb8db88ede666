package dev.mailgateway.worker;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.worker.inbound.Intake;

/** Mail metrics of the worker: records consumed and recipient outcomes by route. Tags are bounded sets. */
@ApplicationScoped
public class WorkerMetrics {

    private final MeterRegistry registry;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void stored(Envelope envelope, Intake.Result result) {
        registry.counter("delivery.records", "result", result.replay() ? "replay" : "stored").increment();
        outcome("local", "delivered", result.delivered());
        outcome("remote", "queued", result.queued());
        outcome("local", "unknown-user", result.unknownUsers());
    }

    public void deadLettered() {
        registry.counter("delivery.records", "result", "dead-letter").increment();
    }

    /** A failed try that will be retried: "store" (database) or "dead-letter" (Kafka). */
    public void retried(String work) {
        registry.counter("delivery.retries", "work", work).increment();
    }

    private void outcome(String route, String result, int count) {
        if (count > 0) {
            registry.counter("delivery.outcomes", "route", route, "result", result).increment(count);
        }
    }
}
