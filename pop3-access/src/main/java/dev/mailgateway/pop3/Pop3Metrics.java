package dev.mailgateway.pop3;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Mail metrics of POP3: sessions, logins by result, messages and bytes retrieved. */
@ApplicationScoped
public class Pop3Metrics {

    private final MeterRegistry registry;
    private final Counter sessions;
    private final Counter messagesRetrieved;
    private final Counter bytesRetrieved;

    public Pop3Metrics(MeterRegistry registry) {
        this.registry = registry;
        this.sessions = Counter.builder("pop3.sessions").description("POP3 connections accepted").register(registry);
        this.messagesRetrieved = Counter.builder("pop3.messages.retrieved").register(registry);
        this.bytesRetrieved = Counter.builder("pop3.bytes.retrieved").description("Octets sent by RETR, stuffing included").register(registry);
    }

    void sessionOpened() {
        sessions.increment();
    }

    void login(boolean success) {
        registry.counter("pop3.logins", "result", success ? "success" : "failure").increment();
    }

    void tlsHandshake(boolean succeeded) {
        registry.counter("pop3.tls.handshakes", "result", succeeded ? "ok" : "failed").increment();
    }

    void retrieved(long bytes) {
        messagesRetrieved.increment();
        bytesRetrieved.increment(bytes);
    }
}
