package dev.mailgateway.ingress;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.common.server.Peers;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.ingress.auth.InboundChecks;
import dev.mailgateway.ingress.protocol.Authenticator;
import dev.mailgateway.ingress.policy.InflightBudget;
import dev.mailgateway.ingress.protocol.Listener;
import dev.mailgateway.ingress.protocol.MessageBudget;
import dev.mailgateway.ingress.protocol.MessageChecks;
import dev.mailgateway.ingress.protocol.MessageQueue;
import dev.mailgateway.ingress.protocol.RecipientCheck;
import dev.mailgateway.ingress.protocol.SmtpSession;

/**
 * The SMTP listeners: the MTA port, the submission port and, with a key pair,
 * the submissions port with implicit TLS. Each binds at start-up (a port
 * clash fails the start); each connection gets its own {@link SmtpConnection}.
 */
@ApplicationScoped
public class IngressServer {

    private static final Logger LOG = Logger.getLogger(IngressServer.class);
    private static final Duration MIN_QUEUE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_QUEUE_TIMEOUT = Duration.ofSeconds(120);

    private final Vertx vertx;
    private final IngressConfig config;
    private final SmtpSession.Settings settings;
    private final RecipientCheck recipientCheck;
    private final Authenticator authenticator;
    private final MessageChecks checks;
    private final MessageQueue queue;
    private final MessageBudget budget;
    private final IngressMetrics metrics;
    private final ConnectionLimits connectionLimits;
    private final Optional<PemKeyCertOptions> keyPair;
    private final SmtpConnection.Timeouts timeouts;
    private final Map<Listener, NetServer> servers = new EnumMap<>(Listener.class);
    private final Set<SmtpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public IngressServer(Vertx vertx, IngressConfig config, MailConfig mail, LocalDomains localDomains,
            RecipientCheck recipientCheck, Authenticator authenticator, Instance<InboundChecks> inboundChecks, MessageQueue queue,
            InflightBudget budget, IngressMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.timeouts = new SmtpConnection.Timeouts(config.commandTimeout().toMillis(), config.dataTimeout().toMillis(),
                config.maxDataTime().toMillis());
        this.keyPair = config.tls().serverOptions();
        this.settings = new SmtpSession.Settings(mail.hostname(), localDomains.postmasterMailbox(),
                config.maxMessageSize(), config.maxRecipients(), keyPair.isPresent(), config.allowPlaintextAuth(),
                config.maxErrors(), config.maxHops(), config.maxLineLength());
        this.recipientCheck = recipientCheck;
        this.authenticator = authenticator;
        // made only when on: off, no resolver is started either
        this.checks = config.authChecks().enabled() ? inboundChecks.get() : MessageChecks.NONE;
        this.queue = queue;
        this.budget = budget;
        this.metrics = metrics;
        this.connectionLimits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerClient());
        metrics.sessionsActive(connectionLimits);
        metrics.inflight(budget);
    }

    void start(@Observes StartupEvent event) {
        Duration timeout = config.queueTimeout();
        if (timeout.compareTo(MIN_QUEUE_TIMEOUT) < 0 || timeout.compareTo(MAX_QUEUE_TIMEOUT) > 0) {
            throw new IllegalStateException("smtp.queue-timeout must be from 5s to 120s, not " + timeout);
        }
        listen(Listener.MTA, config.port());
        listen(Listener.SUBMISSION, config.submissionPort());
        if (keyPair.isPresent()) {
            listen(Listener.SUBMISSIONS, config.tlsPort());
        } else {
            LOG.warn("no smtp.tls.cert-file and smtp.tls.key-file: no STARTTLS, no submissions port");
        }
    }

    private void listen(Listener listener, int port) {
        NetServerOptions options = new NetServerOptions().setHost(config.host()).setPort(port).setSsl(listener.implicitTls);
        // with a key pair, plain listeners can upgrade to TLS on STARTTLS
        keyPair.ifPresent(options::setKeyCertOptions);
        NetServer server = vertx.createNetServer(options).connectHandler(socket -> accept(socket, listener));
        server.listen().toCompletionStage().toCompletableFuture().join();
        servers.put(listener, server);
        LOG.infof("SMTP %s listening on %s:%d", listener, config.host(), server.actualPort());
    }

    private void accept(NetSocket socket, Listener listener) {
        if (stopping) {
            socket.write(shutdownReply()).onComplete(v -> socket.close());
            return;
        }
        String client = socket.remoteAddress().hostAddress();
        if (!connectionLimits.admit(client)) {
            metrics.connectionRefused();
            socket.write("421 4.7.0 " + settings.hostname() + " Error: too many connections\r\n")
                    .onComplete(v -> socket.close());
            return;
        }
        SmtpSession session = new SmtpSession(settings, new SmtpSession.Client(client, listener, Peers.isLoopback(socket.remoteAddress())),
                recipientCheck, authenticator, checks, queue, budget, Clock.systemDefaultZone());
        SmtpConnection connection = new SmtpConnection(socket, session, metrics, timeouts, closed -> {
            connectionLimits.release(client);
            connections.remove(closed);
        });
        connections.add(connection);
        connection.start();
    }

    /**
     * Graceful stop, before the Kafka channel closes: new connections hear
     * 421 4.3.2 at once; idle sessions hear it now; sessions receiving a
     * message get their reply (250 after Kafka's acknowledgement) and then
     * 421 4.3.2. Whatever is still open after {@code smtp.shutdown-grace} is
     * cut, and those clients keep their copy, as after any 4xx. The listeners
     * close last, since closing a Vert.x server closes its connections too.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        stopping = true;
        connections.forEach(connection -> connection.shutDown(shutdownReply()));
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        LOG.infof("SMTP stopping; %d sessions cut at the end of the grace period", connections.size());
        servers.values().forEach(server -> server.close().toCompletionStage().toCompletableFuture().join());
    }

    private String shutdownReply() {
        return SmtpReply.of(421, "4.3.2", settings.hostname() + " Service shutting down").wire();
    }

    /** A listener's bound port: as configured, or the one picked for port 0. */
    public int port(Listener listener) {
        return servers.get(listener).actualPort();
    }
}
