package dev.mailgateway.pop3;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import dev.mailgateway.common.config.LoginFailure;
import dev.mailgateway.common.config.PemKeyPair;

/** The {@code pop3.*} keys of CONTRACT.md. */
@ConfigMapping(prefix = "pop3")
public interface Pop3Config {

    /** Bind address; 0.0.0.0 as a container needs, deploy/local/up sets 127.0.0.1. */
    @WithDefault("0.0.0.0")
    String host();

    /** POP3 port (RFC 1939 names 110; unprivileged here); 0 picks a free port. */
    @WithDefault("1110")
    int port();

    /** POP3S port, TLS from the first byte (RFC 8314; 995 is the assigned one); 0 picks a free port. Needs pop3.tls.*. */
    @WithDefault("1995")
    int tlsPort();

    /** The PEM key pair for STLS (RFC 2595) and the POP3S port; without it neither is offered. */
    PemKeyPair tls();

    /** Silence allowed before the server closes the session (RFC 1939 section 3: at least 10 minutes). */
    @WithDefault("10m")
    Duration idleTimeout();

    /** Allow USER/PASS without TLS from non-loopback clients (RFC 2595 section 2.1 says refuse). */
    @WithDefault("false")
    boolean allowPlaintextAuth();

    /** Open connections in all, then {@code -ERR [SYS/TEMP]} at connect. */
    @WithDefault("10000")
    int maxConnections();

    /** Open connections from one client address, then {@code -ERR [SYS/TEMP]} at connect. */
    @WithDefault("50")
    int maxConnectionsPerClient();

    /**
     * On shutdown, how long sessions may take to finish the response in progress
     * (a RETR to a slow reader, say) before they are cut; idle sessions hear
     * {@code -ERR [SYS/TEMP]} at once. Cut or not, nothing marked with DELE is
     * deleted. Keep it below the orchestrator's grace period (Kubernetes: 30s by default).
     */
    @WithDefault("25s")
    Duration shutdownGrace();

    /** How failed logins ({@code -ERR [AUTH]}) are slowed down. */
    LoginFailure loginFailure();

    /** APOP settings. */
    Apop apop();

    interface Apop {
        /** Base64 of 32 random bytes: the AES-256 key that encrypts stored APOP secrets; unset, APOP is off. */
        Optional<String> key();
    }
}
