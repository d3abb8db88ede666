package dev.mailgateway.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.ingress.policy.InflightBudget;

/**
 * Mail metrics of the ingress: sessions, commands by verb and reply class,
 * messages accepted or rejected by reply code, TLS handshakes. Every tag is
 * from a small fixed set (no addresses, no free text).
 */
@ApplicationScoped
public class IngressMetrics {

    private final MeterRegistry registry;
    /** By method=result: bounded, RFC 8601's results of three methods. */
    private final Map<String, Counter> authResults = new ConcurrentHashMap<>();
    private final Counter sessions;
    /** smtp.commands by verb, then by reply class (index 2 to 5): found once, not per command. */
    private final Map<String, Counter[]> commands = new ConcurrentHashMap<>();

    public IngressMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.sessions = Counter.builder("smtp.sessions").description("SMTP connections accepted").register(registry);
    }

    /** The open sessions, read from the connection limits' count. */
    void sessionsActive(ConnectionLimits limits) {
        Gauge.builder("smtp.sessions.active", limits, ConnectionLimits::open).description("SMTP sessions open now").register(registry);
    }

    /** One command and its reply's class (2xx to 5xx); AUTH results show here as verb=auth. */
    void command(String verb, SmtpReply reply) {
        int replyClass = reply.code() / 100;
        Counter[] byClass = commands.computeIfAbsent(verb, v -> new Counter[6]);
        Counter counter = byClass[replyClass];
        if (counter == null) {
            // two threads may both get here: the registry hands both the same counter
            counter = registry.counter("smtp.commands", "verb", verb, "result", replyClass + "xx");
            byClass[replyClass] = counter;
        }
        counter.increment();
    }

    /** A STARTTLS handshake and how it ended. */
    void tlsHandshake(boolean succeeded) {
        registry.counter("smtp.tls.handshakes", "result", succeeded ? "success" : "failure").increment();
    }

    void sessionOpened() {
        sessions.increment();
    }

    /** A connection turned away at a connection limit. */
    void connectionRefused() {
        registry.counter("smtp.connections.refused").increment();
    }

    /** A session cut because its DATA or BDAT transaction passed smtp.max-data-time. */
    void dataDeadlinePassed() {
        registry.counter("smtp.data.deadline.passed").increment();
    }

    /** Message bytes held now against smtp.max-inflight-bytes, and sessions waiting for room. */
    void inflight(InflightBudget budget) {
        Gauge.builder("smtp.inflight.bytes", budget, InflightBudget::inUse).description("Message bytes held in the heap now")
                .baseUnit("bytes").register(registry);
        Gauge.builder("smtp.inflight.waiting", budget, InflightBudget::waiting)
                .description("Sessions waiting, paused, for room for message bytes").register(registry);
    }

    /** One result of the checks of incoming mail: method spf, dkim (one per signature) or dmarc, and its RFC 8601 result. */
    public void authResult(String method, String result) {
        // a handful of counters, each looked up in the registry once
        authResults.computeIfAbsent(method + '=' + result,
                key -> registry.counter("smtp.auth.results", "method", method, "result", result)).increment();
    }

    /** Counts the reply to the end of DATA; tagged by code, a bounded set. */
    void messageAnswered(SmtpReply reply) {
        registry.counter(reply.isPositive() ? "smtp.messages.accepted" : "smtp.messages.rejected",
                "code", String.valueOf(reply.code())).increment();
    }
}
