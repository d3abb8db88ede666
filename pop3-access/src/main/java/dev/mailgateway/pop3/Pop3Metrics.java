package dev.mailgateway.pop3;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.pop3.protocol.Pop3Session;

/** Mail metrics of POP3: sessions, logins by result, lock conflicts, messages and bytes retrieved, deletions. */
@ApplicationScoped
public class Pop3Metrics {

    private final MeterRegistry registry;
    private final Counter sessions;
    private final Counter messagesRetrieved;
    private final Counter bytesRetrieved;
    private final Counter messagesDeleted;
    private final Counter lockConflicts;
    private final Counter connectionsRefused;

    public Pop3Metrics(MeterRegistry registry) {
        this.registry = registry;
        this.sessions = Counter.builder("pop3.sessions").description("POP3 connections accepted").register(registry);
        this.messagesRetrieved = Counter.builder("pop3.messages.retrieved").register(registry);
        this.bytesRetrieved = Counter.builder("pop3.bytes.retrieved").description("Octets sent by RETR, stuffing included").register(registry);
        this.messagesDeleted = Counter.builder("pop3.messages.deleted").description("Messages removed in the UPDATE state").register(registry);
        this.lockConflicts = Counter.builder("pop3.lock.conflicts").description("Logins refused with [IN-USE]: the maildrop had a session").register(registry);
        this.connectionsRefused = Counter.builder("pop3.connections.refused").description("Connections over pop3.max-connections*").register(registry);
    }

    void sessionsActive(ConnectionLimits limits) {
        Gauge.builder("pop3.sessions.active", limits, ConnectionLimits::open).description("POP3 sessions open now").register(registry);
    }

    void connectionRefused() {
        connectionsRefused.increment();
    }

    void sessionOpened() {
        sessions.increment();
    }

    void login(Pop3Session.LoginResult result) {
        registry.counter("pop3.logins", "result", result.name().toLowerCase(Locale.ROOT).replace('_', '-')).increment();
        if (result == Pop3Session.LoginResult.IN_USE) {
            lockConflicts.increment();
        }
    }

    void tlsHandshake(boolean succeeded) {
        registry.counter("pop3.tls.handshakes", "result", succeeded ? "ok" : "failed").increment();
    }

    /** Messages the UPDATE state removed (RFC 1939 section 6). */
    public void deleted(long messages) {
        messagesDeleted.increment(messages);
    }

    void retrieved(long bytes) {
        messagesRetrieved.increment();
        bytesRetrieved.increment(bytes);
    }
}
