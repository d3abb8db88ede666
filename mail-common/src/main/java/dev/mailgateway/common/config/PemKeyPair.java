package dev.mailgateway.common.config;

import java.util.Optional;

import io.vertx.core.net.PemKeyCertOptions;

/** A TLS key pair from PEM files, as the {@code smtp.tls.*} and {@code pop3.tls.*} keys give it (CONTRACT.md, TLS settings). */
public interface PemKeyPair {

    /** PEM certificate chain. */
    Optional<String> certFile();

    /** PEM private key. */
    Optional<String> keyFile();

    /** The pair for a Vert.x server, when both files are given; else TLS is not offered. */
    default Optional<PemKeyCertOptions> serverOptions() {
        return certFile().flatMap(cert -> keyFile().map(key -> new PemKeyCertOptions().setCertPath(cert).setKeyPath(key)));
    }
}
