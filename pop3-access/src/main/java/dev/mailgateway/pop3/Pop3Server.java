package dev.mailgateway.pop3;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.line.Peers;
import dev.mailgateway.pop3.protocol.Maildrop;
import dev.mailgateway.pop3.protocol.Pop3Session;

/**
 * The POP3 listeners: the POP3 port (STLS offered when a key pair is
 * configured) and the POP3S port (TLS from the first byte, only with a key
 * pair). Both bind at start-up (a port clash fails the start); one
 * {@link Pop3Connection} per client.
 */
@ApplicationScoped
public class Pop3Server {

    private static final Logger LOG = Logger.getLogger(Pop3Server.class);

    private final Vertx vertx;
    private final Pop3Config config;
    private final String hostname;
    private final Maildrop maildrop;
    private final Pop3Metrics metrics;
    private final Optional<PemKeyCertOptions> keyPair;
    private NetServer server;
    private NetServer tlsServer;

    public Pop3Server(Vertx vertx, Pop3Config config, MailConfig mail, Maildrop maildrop, Pop3Metrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.hostname = mail.hostname();
        this.maildrop = maildrop;
        this.metrics = metrics;
        this.keyPair = config.tls().serverOptions();
    }

    void start(@Observes StartupEvent event) {
        server = listen(config.port(), false);
        LOG.infof("POP3 listening on %s:%d%s", config.host(), server.actualPort(), keyPair.isPresent() ? " (STLS offered)" : "");
        if (keyPair.isPresent()) {
            tlsServer = listen(config.tlsPort(), true);
            LOG.infof("POP3S listening on %s:%d", config.host(), tlsServer.actualPort());
        }
    }

    private NetServer listen(int port, boolean implicitTls) {
        NetServerOptions options = new NetServerOptions().setHost(config.host()).setPort(port).setSsl(implicitTls);
        // the plain listener holds the key pair too: STLS upgrades its connections
        keyPair.ifPresent(options::setKeyCertOptions);
        NetServer listener = vertx.createNetServer(options).connectHandler(socket -> new Pop3Connection(socket,
                new Pop3Session(hostname, implicitTls || plaintextAllowed(socket), !implicitTls && keyPair.isPresent(), maildrop),
                metrics, config.idleTimeout().toMillis()).start());
        listener.listen().toCompletionStage().toCompletableFuture().join();
        return listener;
    }

    /** Loopback clients count as secure (CONTRACT.md); others need TLS (STLS, POP3S) or pop3.allow-plaintext-auth. */
    private boolean plaintextAllowed(NetSocket socket) {
        return config.allowPlaintextAuth() || Peers.isLoopback(socket.remoteAddress());
    }

    void stop(@Observes ShutdownEvent event) {
        for (NetServer listener : new NetServer[] {server, tlsServer}) {
            if (listener != null) {
                listener.close().toCompletionStage().toCompletableFuture().join();
            }
        }
    }

    /** The bound POP3S port: {@code pop3.tls-port}, or the one picked for port 0. */
    public int tlsPort() {
        return tlsServer.actualPort();
    }

    /** The bound port: {@code pop3.port}, or the one picked for port 0. */
    public int port() {
        return server.actualPort();
    }
}
