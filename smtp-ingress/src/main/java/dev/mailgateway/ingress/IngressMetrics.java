package dev.mailgateway.ingress;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.mailgateway.ingress.protocol.SmtpReply;

/** Mail metrics of the ingress: sessions, and messages accepted or rejected by reply code. */
@ApplicationScoped
public class IngressMetrics {

    private final MeterRegistry registry;
    private final Counter sessions;

    public IngressMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sessions = Counter.builder("smtp.sessions").description("SMTP connections accepted").register(registry);
    }

    void sessionOpened() {
        sessions.increment();
    }

    /** A connection turned away at a connection limit. */
    void connectionRefused() {
        registry.counter("smtp.connections.refused").increment();
    }

    /** Counts the reply to the end of DATA; tagged by code, a bounded set. */
    void messageAnswered(SmtpReply reply) {
        registry.counter(reply.isPositive() ? "smtp.messages.accepted" : "smtp.messages.rejected",
                "code", String.valueOf(reply.code())).increment();
    }
}
