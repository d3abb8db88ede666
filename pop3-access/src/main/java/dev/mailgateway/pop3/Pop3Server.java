package dev.mailgateway.pop3;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.line.Peers;
import dev.mailgateway.pop3.protocol.Maildrop;
import dev.mailgateway.pop3.protocol.Pop3Session;

/** The POP3 listener: binds at start-up (a port clash fails the start), one {@link Pop3Connection} per client. */
@ApplicationScoped
public class Pop3Server {

    private static final Logger LOG = Logger.getLogger(Pop3Server.class);

    private final Vertx vertx;
    private final Pop3Config config;
    private final String hostname;
    private final Maildrop maildrop;
    private final Pop3Metrics metrics;
    private NetServer server;

    public Pop3Server(Vertx vertx, Pop3Config config, MailConfig mail, Maildrop maildrop, Pop3Metrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.hostname = mail.hostname();
        this.maildrop = maildrop;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        server = vertx.createNetServer(new NetServerOptions().setHost(config.host()).setPort(config.port()))
                .connectHandler(socket -> new Pop3Connection(socket,
                        new Pop3Session(hostname, plaintextAllowed(socket), maildrop), metrics, config.idleTimeout().toMillis()).start());
        server.listen().toCompletionStage().toCompletableFuture().join();
        LOG.infof("POP3 listening on %s:%d", config.host(), server.actualPort());
    }

    /** Loopback clients count as secure (CONTRACT.md); others need pop3.allow-plaintext-auth until STLS exists. */
    private boolean plaintextAllowed(NetSocket socket) {
        return config.allowPlaintextAuth() || Peers.isLoopback(socket.remoteAddress());
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** The bound port: {@code pop3.port}, or the one picked for port 0. */
    public int port() {
        return server.actualPort();
    }
}
