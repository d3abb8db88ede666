package dev.mailgateway.ingress;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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
    Tls tls();

    interface Tls {
        /** PEM certificate chain. */
        Optional<String> certFile();

        /** PEM private key. */
        Optional<String> keyFile();
    }

    /** Offer AUTH without TLS to non-loopback clients (RFC 4954 section 4 discourages it). */
    @WithDefault("false")
    boolean allowPlaintextAuth();

    /** Largest message in bytes, announced in SIZE (RFC 1870) and enforced with 552 5.3.4. */
    @WithDefault("26214400")
    long maxMessageSize();

    /** Recipients per transaction (RFC 5321 section 4.5.3.1.8 asks for at least 100); the next get 452 4.5.3. */
    @WithDefault("100")
    int maxRecipients();

    /** Longest wait for Kafka's acknowledgement before 451 4.3.0; 5s to 120s. */
    @WithDefault("30s")
    Duration queueTimeout();
}
