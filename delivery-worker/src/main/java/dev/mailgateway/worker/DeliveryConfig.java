package dev.mailgateway.worker;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code delivery.*} keys of CONTRACT.md, and the relay's limits with their RFC defaults. */
@ConfigMapping(prefix = "delivery")
public interface DeliveryConfig {

    Dns dns();

    interface Dns {
        /**
         * Recursive resolvers as {@code ip}, {@code ip:port} or {@code [ipv6]:port} (IP literals), tried in order;
         * unset: the servers of /etc/resolv.conf. Read by the worker's one
         * {@link dev.mailgateway.common.dns.DnsResolver}, which caches answers for their TTLs (RFC 2308 for negative ones).
         */
        Optional<List<String>> servers();

        /** One query's wait, over UDP and the TCP retry of a truncated answer, before the next resolver is asked. */
        @WithDefault("5s")
        Duration timeout();
    }

    /** TCP port dialled on MX hosts. */
    @WithDefault("25")
    int smtpPort();

    Retry retry();

    interface Retry {
        /** First delay after a temporary failure (Postfix's minimal_backoff_time: 5 minutes). */
        @WithDefault("5m")
        Duration initial();

        /** Largest delay between attempts (Postfix's maximal_backoff_time, about 67 minutes). */
        @WithDefault("67m")
        Duration max();

        /** How long a recipient may stay deferred before it bounces with 4.4.7 (Postfix's maximal_queue_lifetime). */
        @WithDefault("5d")
        Duration lifetime();
    }

    /**
     * A sender whose message is still deferred this long after it arrived gets
     * one report saying so (RFC 3464 Action: delayed), as Postfix's
     * delay_warning_time; unset: none, Postfix's default too.
     */
    Optional<Duration> delayWarning();

    Relay relay();

    interface Relay {
        /**
         * Most connections one worker opens to one destination domain at a time, however well its servers
         * answer (Postfix's default_destination_concurrency_limit).
         */
        @WithDefault("20")
        int destinationConcurrency();

        /**
         * Connections to a destination at first: the window grows as its servers answer and shrinks as they
         * cannot be reached, up to destination-concurrency (Postfix's initial_destination_concurrency).
         */
        @WithDefault("5")
        int initialDestinationConcurrency();

        /** TCP connect timeout (Postfix's smtp_connect_timeout). */
        @WithDefault("30s")
        Duration connectTimeout();

        /** Wait for the greeting, EHLO, MAIL and RCPT replies (RFC 5321 section 4.5.3.2.1-3: 5 minutes). */
        @WithDefault("5m")
        Duration commandTimeout();

        /** Wait for the reply to the end of data (RFC 5321 section 4.5.3.2.6: 10 minutes). */
        @WithDefault("10m")
        Duration dataTimeout();

        /** How long an idle connection is kept for the next message to the same host (Postfix's smtp_connection_cache_time_limit). */
        @WithDefault("2s")
        Duration reuseTime();

        /**
         * Longest a relay job tries hosts: after it no further transaction starts (one in flight keeps its
         * RFC 5321 section 4.5.3.2 timeouts) and the recipients left are deferred with 4.4.1. Its claim is
         * renewed meanwhile, so it may be longer than the claim lease.
         */
        @WithDefault("30m")
        Duration jobDeadline();

        /** Domains that only get mail over TLS: without STARTTLS the attempt is deferred (Postfix's "encrypt" level). */
        Optional<List<String>> tlsRequiredDomains();
    }

    Scheduler scheduler();

    Ledger ledger();

    interface Ledger {
        /**
         * How long a handled (queue id, recipient) is remembered, so that a replayed
         * record stays a no-op (ARCHITECTURE decision 4); longer than mail.inbound
         * keeps records (Kafka's retention.ms, 7 days unless set) and consumer offsets.
         */
        @WithDefault("30d")
        Duration retention();
    }

    interface Scheduler {
        /** How often due queue rows are looked for; a new remote recipient is picked up at the next look. */
        @WithDefault("1s")
        Duration pollInterval();

        /** Rows claimed in one look. */
        @WithDefault("200")
        int batchSize();

        /**
         * A claimed row is not due again for this long: if this replica dies mid-relay,
         * another one retries the row after it. Renewed every third of it while the
         * relay runs or waits for a connection.
         */
        @WithDefault("30m")
        Duration claimLease();
    }
}
