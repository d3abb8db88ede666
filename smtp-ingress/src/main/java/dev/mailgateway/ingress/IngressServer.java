package dev.mailgateway.ingress;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.server.ConnectionLimits;
import dev.mailgateway.common.server.Listeners;
import dev.mailgateway.common.server.Peers;
import dev.mailgateway.common.server.Timers;
import dev.mailgateway.common.server.VertxTimers;
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
 * {@link Listeners} admits the clients and drains them on shutdown.
 */
@ApplicationScoped
public class IngressServer {

    private static final Logger LOG = Logger.getLogger(IngressServer.class);
    private static final Duration MIN_QUEUE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_QUEUE_TIMEOUT = Duration.ofSeconds(120);

    private final IngressConfig config;
    private final SmtpSession.Settings settings;
    private final RecipientCheck recipientCheck;
    private final Authenticator authenticator;
    private final MessageChecks checks;
    private final MessageQueue queue;
    private final MessageBudget budget;
    private final IngressMetrics metrics;
    private final Optional<PemKeyCertOptions> keyPair;
    private final SmtpConnection.Timeouts timeouts;
    private final Timers timers;
    private final Listeners listeners;
    private final Map<Listener, Integer> ports = new EnumMap<>(Listener.class);

    public IngressServer(Vertx vertx, IngressConfig config, MailConfig mail, LocalDomains localDomains,
            RecipientCheck recipientCheck, Authenticator authenticator, Instance<InboundChecks> inboundChecks, MessageQueue queue,
            InflightBudget budget, IngressMetrics metrics) {
        this.config = config;
        this.timeouts = new SmtpConnection.Timeouts(config.commandTimeout().toMillis(), config.dataTimeout().toMillis(),
                config.maxDataTime().toMillis());
        this.timers = new VertxTimers(vertx);
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
        ConnectionLimits connectionLimits = new ConnectionLimits(config.maxConnections(), config.maxConnectionsPerClient());
        this.listeners = new Listeners(vertx, "SMTP", config.host(), keyPair, connectionLimits,
                new Listeners.Lines("421 4.7.0 " + mail.hostname() + " Error: too many connections\r\n",
                        SmtpReply.of(421, "4.3.2", mail.hostname() + " Service shutting down").wire()),
                metrics::connectionRefused);
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
        ports.put(listener, listeners.bind("SMTP " + listener, port, listener.implicitTls,
                (socket, closed) -> open(socket, listener, closed)));
    }

    private SmtpConnection open(NetSocket socket, Listener listener, Runnable closed) {
        String client = socket.remoteAddress().hostAddress();
        SmtpSession session = new SmtpSession(settings, new SmtpSession.Client(client, listener, Peers.isLoopback(socket.remoteAddress())),
                recipientCheck, authenticator, checks, queue, budget, Clock.systemDefaultZone());
        SmtpConnection connection = new SmtpConnection(socket, session, metrics, timeouts, timers, closed);
        connection.start();
        return connection;
    }

    /**
     * Graceful stop, before the Kafka channel closes: new connections hear
     * 421 4.3.2 at once; idle sessions hear it now; sessions receiving a
     * message get their reply (250 after Kafka's acknowledgement) and then
     * 421 4.3.2. Whatever is still open after {@code smtp.shutdown-grace} is
     * cut, and those clients keep their copy, as after any 4xx.
     */
    void stop(@Observes @Priority(1) ShutdownEvent event) {
        listeners.stop(config.shutdownGrace());
    }

    /** A listener's bound port: as configured, or the one picked for port 0. */
    public int port(Listener listener) {
        return ports.get(listener);
    }
}
