package dev.mailgateway.ingress;

import java.time.Duration;
import java.util.OptionalLong;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import dev.mailgateway.common.config.LoginFailure;
import dev.mailgateway.common.config.PemKeyPair;

/** The {@code smtp.*} keys of CONTRACT.md. */
@ConfigMapping(prefix = "smtp")
public interface IngressConfig {

    /** Bind address; 0.0.0.0 as a container needs, deploy/local/up sets 127.0.0.1. */
    @WithDefault("0.0.0.0")
    String host();

    /** MTA port: mail for local domains from anyone (RFC 5321); 0 picks a free port. */
    @WithDefault("2525")
    int port();

    /** Submission port (RFC 6409): AUTH before MAIL; 0 picks a free port. */
    @WithDefault("2587")
    int submissionPort();

    /** Submissions port, implicit TLS (RFC 8314); 0 picks a free port. Needs smtp.tls.*. */
    @WithDefault("2465")
    int tlsPort();

    /** The PEM key pair for STARTTLS (RFC 3207) and the submissions port; without it neither is offered. */
    PemKeyPair tls();

    /** Offer AUTH without TLS to non-loopback clients (RFC 4954 section 4 discourages it). */
    @WithDefault("false")
    boolean allowPlaintextAuth();

    /** Largest message in bytes, announced in SIZE (RFC 1870) and enforced with 552 5.3.4. */
    @WithDefault("26214400")
    long maxMessageSize();

    /**
     * Heap in octets for message bytes in flight, summed over all sessions: received
     * and not yet acknowledged by Kafka. Unset: a fifth of the JVM's largest heap.
     */
    OptionalLong maxInflightBytes();

    /** How long a session may wait, its socket paused, for room in that heap before its message gets 452 4.3.1. */
    @WithDefault("10s")
    Duration inflightWait();

    /**
     * Longest DATA or BDAT transaction, from its first octet to its last; past it
     * 421 4.4.2 and the connection closes, so a slow sender cannot hold heap for
     * ever (each octet restarts the data timeout; this does not restart).
     */
    @WithDefault("10m")
    Duration maxDataTime();

    /** Recipients per transaction (RFC 5321 section 4.5.3.1.8 asks for at least 100); the next get 452 4.5.3. */
    @WithDefault("100")
    int maxRecipients();

    /** Silence allowed between commands before 421 4.4.2 (RFC 5321 section 4.5.3.2.7: at least 5 minutes). */
    @WithDefault("5m")
    Duration commandTimeout();

    /** Silence allowed inside DATA (RFC 5321 section 4.5.3.2.5, the client's DATA block timeout: 3 minutes). */
    @WithDefault("3m")
    Duration dataTimeout();

    /** Error replies in one session before 421 4.7.0 and disconnect (Postfix's smtpd_hard_error_limit). */
    @WithDefault("20")
    int maxErrors();

    /** Open connections in all, then 421 4.7.0 at connect. */
    @WithDefault("20000")
    int maxConnections();

    /** Open connections from one client address, then 421 4.7.0 at connect (Postfix's smtpd_client_connection_count_limit). */
    @WithDefault("50")
    int maxConnectionsPerClient();

    /** Longest line of a message in octets, CRLF included (RFC 5321 section 4.5.3.1.6: 1000); longer: 500 5.5.2 after the data. */
    @WithDefault("1000")
    int maxLineLength();

    /** Received lines a message may carry before 554 5.4.6: a mail loop (RFC 5321 section 6.3; Postfix's hopcount_limit). */
    @WithDefault("50")
    int maxHops();

    /** How failed AUTH (535 5.7.8) is slowed down: per client address and per account, as POP3's logins. */
    LoginFailure loginFailure();

    /**
     * On shutdown, how long sessions receiving a message may take to finish it;
     * keep it below the orchestrator's grace period (Kubernetes: 30s by default).
     */
    @WithDefault("25s")
    Duration shutdownGrace();

    /** Longest wait for Kafka's acknowledgement before 451 4.3.0; 5s to 120s. */
    @WithDefault("30s")
    Duration queueTimeout();

    /** SPF, DKIM and DMARC checks of mail that arrives on the MTA port unauthenticated (issue 19). */
    AuthChecks authChecks();

    interface AuthChecks {
        /** Off for a gateway behind another filter that checks (and writes its own Authentication-Results). */
        @WithDefault("true")
        boolean enabled();

        /**
         * Longest the checks of one message may hold its end-of-data reply; what is missing then is
         * temperror. Each DNS server gets half of it before the next is asked.
         */
        @WithDefault("3s")
        Duration timeBudget();
    }

    Dmarc dmarc();

    interface Dmarc {
        /** A DMARC failure whose policy, after pct=, is reject gets 550 5.7.1 at end of data (RFC 7489 section 6.6.4). */
        @WithDefault("true")
        boolean enforce();

        /** A DMARC temperror (its DNS could not be asked) gets 451 4.7.1 instead of being accepted and marked. */
        @WithDefault("false")
        boolean deferOnTemperror();
    }

    Spf spf();

    interface Spf {
        /**
         * An SPF fail of a domain that publishes no DMARC policy gets 550 5.7.23 (RFC 7372) instead of
         * being accepted and marked. With a DMARC policy, DMARC decides (RFC 7489 section 10.1).
         */
        @WithDefault("false")
        boolean enforce();
    }
}
