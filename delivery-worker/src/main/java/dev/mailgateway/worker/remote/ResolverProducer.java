package dev.mailgateway.worker.remote;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.worker.DeliveryConfig;

/**
 * The worker's one DNS resolver, on {@code mail.dns.servers} (else {@code delivery.dns.servers}) and
 * {@code delivery.dns.timeout}: made at
 * start-up (reading /etc/resolv.conf then, not on an event loop at the first lookup), closed on shutdown.
 */
@ApplicationScoped
public class ResolverProducer {

    @Produces
    @Singleton
    @Startup
    DnsResolver dnsResolver(Vertx vertx, MailConfig mail, DeliveryConfig config) {
        List<String> servers = mail.dns().servers().or(() -> config.dns().servers()).orElse(List.of());
        return new DnsResolver(vertx, DnsResolver.Settings.of(servers, config.dns().timeout()));
    }

    void close(@Disposes DnsResolver resolver) {
        resolver.close();
    }
}
