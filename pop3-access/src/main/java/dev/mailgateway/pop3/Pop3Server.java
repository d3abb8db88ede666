package dev.mailgateway.pop3;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

import dev.mailgateway.common.account.FailedLogins;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.common.server.Listeners;
import dev.mailgateway.common.server.Peers;
import dev.mailgateway.common.server.Timers;
import dev.mailgateway.common.server.VertxTimers;
import dev.mailgateway.pop3.apop.ApopSecrets;
import dev.mailgateway.pop3.protocol.Logins;
import dev.mailgateway.pop3.protocol.MaildropLease;
import dev.mailgateway.pop3.protocol.MessageStore;
import dev.mailgateway.pop3.protocol.Pop3Response;
import dev.mailgateway.pop3.protocol.Pop3Responses;
import dev.mailgateway.pop3.protocol.Pop3Session;
import dev.mailgateway.pop3.protocol.ReadAhead;

/**
 * The POP3 listeners: the POP3 port (STLS offered when a key pair is
 * configured) and the POP3S port (TLS from the first byte, only with a key
 * pair). Both bind at start-up (a port clash fails the start); one
 * {@link Pop3Connection} per client. {@link Listeners} admits the clients
 * and drains them on shutdown.
 */
@ApplicationScoped
public class Pop3Server {

    private static final Logger LOG = Logger.getLogger(Pop3Server.class);

    /** Heap that all sessions together may hold in messages read ahead (ReadAhead): 128 sessions' full windows. */
    private static final long READ_AHEAD_MEMORY = 64L * 1024 * 1024;

    /** The longest the shutdown waits to free the replica's maildrop locks; past it they expire with their lease. */
    private static final Duration LOCK_RELEASE_WAIT = Duration.ofSeconds(2);

    private final Pop3Config config;
    private final String hostname;
    private final Pop3Session.Backends backends;
    private final Pop3Metrics metrics;
    private final Optional<PemKeyCertOptions> keyPair;
    private final ApopSecrets apopSecrets;
    private final FailedLogins failedLogins;
    private final Timers timers;
    private final ReadAhead.Budget readAheadBudget = new ReadAhead.Budget(READ_AHEAD_MEMORY);
    private final Listeners listeners;
    private int port;
    private int tlsPort;

    public Pop3Server(Vertx vertx, Pop3Config config, MailConfig mail, Logins logins, MaildropLease lease, MessageStore store,
            Pop3Metrics metrics, ApopSecrets apopSecrets) {
        this.config = config;
        this.hostname = mail.hostname();
        this.backends = new Pop3Session.Backends(logins, lease, store);
        this.metrics = metrics;
        this.keyPair = config.tls().serverOptions();
        this.apopSecrets = apopSecrets;
        this.failedLogins = config.loginFailure().failedLogins();
        ConnectionLimits connectionLimits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerClient());
        this.listeners = new Listeners(vertx, "POP3", config.host(), keyPair, connectionLimits,
                new Listeners.Lines(line(Pop3Responses.TOO_MANY_CONNECTIONS), line(Pop3Responses.SHUTTING_DOWN)), metrics::connectionRefused);
        this.timers = new VertxTimers(vertx);
        metrics.sessionsActive(connectionLimits);
    }

    void start(@Observes StartupEvent event) throws UnknownHostException {
        backends.lease().startReplica(replicaName()).toCompletionStage().toCompletableFuture().join();
        port = listeners.bind(keyPair.isPresent() ? "POP3 (STLS offered)" : "POP3", config.port(), false,
                (socket, closed) -> open(socket, false, closed));
        if (keyPair.isPresent()) {
            tlsPort = listeners.bind("POP3S", config.tlsPort(), true, (socket, closed) -> open(socket, true, closed));
        }
    }

    private static String line(Pop3Response response) {
        return response.status() + "\r\n";
    }

    private Pop3Connection open(NetSocket socket, boolean implicitTls, Runnable closed) {
        Pop3Session.Offer offer = new Pop3Session.Offer(implicitTls || plaintextAllowed(socket), !implicitTls && keyPair.isPresent(),
                apopSecrets.enabled());
        Pop3Connection connection = new Pop3Connection(socket, new Pop3Session(hostname, offer, backends, readAheadBudget), metrics, failedLogins,
                config.idleTimeout().toMillis(), Pop3Connection.LOCK_RENEWAL.toMillis(), timers, closed);
        connection.start();
        return connection;
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

    /**
     * Graceful stop, first of the shutdown observers: new connections and
     * idle sessions hear {@code -ERR [SYS/TEMP]} at once, a session in the
     * middle of a response (a RETR) right after it. None enters the UPDATE
     * state after the signal, so nothing marked with DELE is deleted (RFC 1939
     * section 6); a QUIT already being answered finishes its deletes.
     * Whatever is still open after {@code pop3.shutdown-grace} is cut; then
     * the locks of this replica's sessions are freed in one statement, as a
     * session's own unlock may not reach the database before it closes.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        listeners.stop(config.shutdownGrace());
        backends.lease().stopReplica().toCompletionStage().toCompletableFuture()
                .orTimeout(LOCK_RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    LOG.warnf("maildrop locks not freed at shutdown, they expire with their lease: %s", e.toString());
                    return null;
                })
                .join();
    }

    /** The bound POP3S port: {@code pop3.tls-port}, or the one picked for port 0. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The bound port: {@code pop3.port}, or the one picked for port 0. */
    public int port() {
        return port;
    }
}
