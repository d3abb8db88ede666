package dev.mailgateway.ingress.auth;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.vertx.core.Vertx;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.ingress.IngressConfig;

/**
 * The ingress's one DNS resolver, for the checks of incoming mail: on {@code mail.dns.servers}, else
 * {@code delivery.dns.servers} (one setting for a deployment's services, CONTRACT.md), else
 * /etc/resolv.conf, read when the checks are made (at start-up, with the SMTP listeners), not on an
 * event loop at the first lookup. Each server gets half
 * the checks' time budget, so a silent first one leaves the second time to answer.
 */
@ApplicationScoped
public class ResolverProducer {

    /**
     * @param relayServers the worker's setting, read here only as the fallback: one key, not a mapping of
     *                     the worker's prefix, whose other keys are no concern of the ingress
     */
    @Produces
    @Singleton
    DnsResolver dnsResolver(Vertx vertx, MailConfig mail, @ConfigProperty(name = "delivery.dns.servers") Optional<List<String>> relayServers,
            IngressConfig config) {
        List<String> servers = mail.dns().servers().or(() -> relayServers).orElse(List.of());
        return new DnsResolver(vertx, DnsResolver.Settings.of(servers, config.authChecks().timeBudget().dividedBy(2)));
    }

    void close(@Disposes DnsResolver resolver) {
        resolver.close();
    }
}
