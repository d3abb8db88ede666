package dev.mailgateway.ingress.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.smallrye.config.ConfigMapping;
import io.vertx.core.Vertx;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.ingress.IngressConfig;

/**
 * The ingress's one DNS resolver, for the checks of incoming mail: on {@code mail.dns.servers}, else
 * {@code delivery.dns.servers} (one setting for a deployment's services, CONTRACT.md), else
 * /etc/resolv.conf, read when the checks are made at start-up, not on an event loop at the first lookup. Each server gets half
 * the checks' time budget, so a silent first one leaves the second time to answer.
 */
@ApplicationScoped
public class ResolverProducer {

    /** The worker's setting, read here only as the fallback for {@code mail.dns.servers}. */
    @ConfigMapping(prefix = "delivery.dns")
    public interface RelayDns {
        Optional<List<String>> servers();

        /** The worker's wait per server; not used here, named so that setting it for every service is no error. */
        Optional<Duration> timeout();
    }

    @Produces
    @Singleton
    DnsResolver dnsResolver(Vertx vertx, MailConfig mail, RelayDns relay, IngressConfig config) {
        List<String> servers = mail.dns().servers().or(relay::servers).orElse(List.of());
        return new DnsResolver(vertx, DnsResolver.Settings.of(servers, config.authChecks().timeBudget().dividedBy(2)));
    }

    void close(@Disposes DnsResolver resolver) {
        resolver.close();
    }
}
