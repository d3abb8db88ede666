package dev.mailgateway.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code mail.*} keys of CONTRACT.md, shared by every service. */
@ConfigMapping(prefix = "mail")
public interface MailConfig {

    /** Local domains: mail to them is delivered to mailboxes. */
    @WithDefault("example.test")
    List<String> domains();

    /** Name used in the 220 greeting, EHLO and Received lines. */
    @WithDefault("localhost")
    String hostname();

    /** The account that receives mail for {@code <postmaster>} (RFC 5321 section 4.5.1); default postmaster@first domain. */
    Optional<String> postmaster();

    /** Bearer token of the admin and queue APIs; unset, they refuse every call. */
    Optional<String> adminToken();

    Health health();

    Dns dns();

    interface Dns {
        /**
         * Recursive resolvers for every DNS lookup of the gateway (the ingress's SPF, DKIM and DMARC
         * checks, the relay's MX lookups), as {@code ip}, {@code ip:port} or {@code [ipv6]:port}, tried
         * in order. Unset: {@code delivery.dns.servers}, then the servers of /etc/resolv.conf.
         */
        Optional<List<String>> servers();
    }

    Dkim dkim();

    interface Dkim {
        /** The setting's name, for messages that tell the operator to set it. */
        String SETTING = "mail.dkim.key";

        /**
         * Base64 of 32 bytes ({@code head -c 32 /dev/urandom | base64}) that seals the DKIM private keys
         * in the database ({@link dev.mailgateway.common.secret.SecretBox}); pop3-access creates keys
         * under it, the worker signs with them. Unset: no key can be created, and mail is not signed.
         */
        Optional<String> key();
    }

    interface Health {
        /**
         * An event loop that has run no task for this long makes /q/health/live DOWN, so the
         * supervisor restarts the service (Vert.x logs its blocked-thread warning at 2s); at least 1s.
         */
        @WithDefault("10s")
        Duration eventLoopStall();
    }
}
