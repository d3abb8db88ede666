package dev.mailgateway.ingress;

import java.time.Clock;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.ingress.protocol.MessageQueue;
import dev.mailgateway.ingress.protocol.RecipientCheck;
import dev.mailgateway.ingress.protocol.SmtpSession;

/**
 * The SMTP listener: binds the MTA port at start-up (a port clash fails the
 * start) and gives each connection its own {@link SmtpConnection}.
 */
@ApplicationScoped
public class IngressServer {

    private static final Logger LOG = Logger.getLogger(IngressServer.class);
    private static final Duration MIN_QUEUE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration MAX_QUEUE_TIMEOUT = Duration.ofSeconds(120);

    private final Vertx vertx;
    private final IngressConfig config;
    private final SmtpSession.Limits limits;
    private final RecipientCheck recipientCheck;
    private final MessageQueue queue;
    private final IngressMetrics metrics;
    private NetServer server;

    public IngressServer(Vertx vertx, IngressConfig config, MailConfig mail, LocalDomains localDomains,
            RecipientCheck recipientCheck, MessageQueue queue, IngressMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.limits = new SmtpSession.Limits(mail.hostname(), localDomains.postmasterMailbox(),
                config.maxMessageSize(), config.maxRecipients());
        this.recipientCheck = recipientCheck;
        this.queue = queue;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent event) {
        Duration timeout = config.queueTimeout();
        if (timeout.compareTo(MIN_QUEUE_TIMEOUT) < 0 || timeout.compareTo(MAX_QUEUE_TIMEOUT) > 0) {
            throw new IllegalStateException("smtp.queue-timeout must be from 5s to 120s, not " + timeout);
        }
        server = vertx.createNetServer(new NetServerOptions().setHost(config.host()).setPort(config.port()))
                .connectHandler(socket -> new SmtpConnection(socket,
                        new SmtpSession(limits, socket.remoteAddress().hostAddress(), recipientCheck, queue, Clock.systemDefaultZone()),
                        metrics).start());
        server.listen().toCompletionStage().toCompletableFuture().join();
        LOG.infof("SMTP listening on %s:%d", config.host(), server.actualPort());
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** The bound port: {@code smtp.port}, or the one picked for port 0. */
    public int port() {
        return server.actualPort();
    }
}
