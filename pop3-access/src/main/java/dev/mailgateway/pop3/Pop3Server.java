package dev.mailgateway.pop3;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.UUID;

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

import dev.mailgateway.common.account.FailedLogins;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.common.server.Peers;
import dev.mailgateway.pop3.apop.ApopSecrets;
import dev.mailgateway.pop3.protocol.Logins;
import dev.mailgateway.pop3.protocol.MaildropLease;
import dev.mailgateway.pop3.protocol.MessageStore;
import dev.mailgateway.pop3.protocol.Pop3Session;
import dev.mailgateway.pop3.protocol.ReadAhead;

/**
 * The POP3 listeners: the POP3 port (STLS offered when a key pair is
 * configured) and the POP3S port (TLS from the first byte, only with a key
 * pair). Both bind at start-up (a port clash fails the start); one
 * {@link Pop3Connection} per client.
 */
@ApplicationScoped
public class Pop3Server {

    private static final Logger LOG = Logger.getLogger(Pop3Server.class);

    /** Heap that all sessions together may hold in messages read ahead (ReadAhead): 128 sessions' full windows. */
    private static final long READ_AHEAD_MEMORY = 64L * 1024 * 1024;

    private final Vertx vertx;
    private final Pop3Config config;
    private final String hostname;
    private final Pop3Session.Backends backends;
    private final Pop3Metrics metrics;
    private final Optional<PemKeyCertOptions> keyPair;
    private final ApopSecrets apopSecrets;
    private final ConnectionLimits connectionLimits;
    private final FailedLogins failedLogins;
    private final ReadAhead.Budget readAheadBudget = new ReadAhead.Budget(READ_AHEAD_MEMORY);
    private NetServer server;
    private NetServer tlsServer;

    public Pop3Server(Vertx vertx, Pop3Config config, MailConfig mail, Logins logins, MaildropLease lease, MessageStore store,
            Pop3Metrics metrics, ApopSecrets apopSecrets) {
        this.vertx = vertx;
        this.config = config;
        this.hostname = mail.hostname();
        this.backends = new Pop3Session.Backends(logins, lease, store);
        this.metrics = metrics;
        this.keyPair = config.tls().serverOptions();
        this.apopSecrets = apopSecrets;
        this.connectionLimits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerClient());
        this.failedLogins = config.loginFailure().failedLogins();
        metrics.sessionsActive(connectionLimits);
    }

    void start(@Observes StartupEvent event) throws UnknownHostException {
        backends.lease().startReplica(replicaName()).toCompletionStage().toCompletableFuture().join();
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
        NetServer listener = vertx.createNetServer(options).connectHandler(socket -> accept(socket, implicitTls));
        listener.listen().toCompletionStage().toCompletableFuture().join();
        return listener;
    }

    private void accept(NetSocket socket, boolean implicitTls) {
        String client = socket.remoteAddress().hostAddress();
        if (!connectionLimits.admit(client)) {
            metrics.connectionRefused();
            // RFC 2449 section 8.1.2: a temporary condition, the client may try again later
            socket.write("-ERR [SYS/TEMP] Too many connections, try again later\r\n").onComplete(v -> socket.close());
            return;
        }
        Pop3Session.Offer offer = new Pop3Session.Offer(implicitTls || plaintextAllowed(socket), !implicitTls && keyPair.isPresent(),
                apopSecrets.enabled());
        new Pop3Connection(socket, new Pop3Session(hostname, offer, backends, readAheadBudget), metrics, failedLogins, config.idleTimeout().toMillis(),
                Pop3Connection.LOCK_RENEWAL.toMillis(), () -> connectionLimits.release(client)).start();
    }

    /**
     * The same on every run of this replica and different from every other
     * one: the pod's (or machine's) name and the POP3 port. With port 0 there
     * is no earlier run to recognise: a random name.
     */
    private String replicaName() throws UnknownHostException {
        return config.port() == 0 ? UUID.randomUUID().toString() : InetAddress.getLocalHost().getHostName() + ":" + config.port();
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
