package dev.mailgateway.common.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * A protocol server's listening sockets and the connections they let in,
 * from bind to graceful stop (SMTP, POP3): the protocol gives its lines and
 * makes its connections; binding, {@link ConnectionLimits} and the stop are
 * done here, the same for both. Connections arrive on event loops and
 * {@link #stop} runs on the shutdown thread: safe from any thread.
 */
public final class Listeners {

    private static final Logger LOG = Logger.getLogger(Listeners.class);

    /** Makes the connection of an admitted client. */
    @FunctionalInterface
    public interface Opener {

        /** The connection on {@code socket}, started; it runs {@code closed} once, when it has closed. */
        PipelinedConnection<?> open(NetSocket socket, Runnable closed);
    }

    /**
     * The protocol's last words to a client, CRLF included.
     *
     * @param tooManyConnections to a client over the {@link ConnectionLimits}, at connect
     * @param shuttingDown to a client that connects while stopping, and to every live session at {@link #stop}
     */
    public record Lines(String tooManyConnections, String shuttingDown) {
    }

    private final Vertx vertx;
    private final String protocol;
    private final String host;
    private final Optional<PemKeyCertOptions> keyPair;
    private final ConnectionLimits limits;
    private final Lines lines;
    private final Runnable refused;
    private final List<NetServer> servers = new CopyOnWriteArrayList<>();
    private final Map<NetSocket, PipelinedConnection<?>> live = new ConcurrentHashMap<>();
    /** Completed once stopping and the last live connection closed. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile boolean stopping;

    /**
     * @param protocol what the stop's log line calls the server ("SMTP", "POP3")
     * @param keyPair  with it, every listener can turn to TLS (STARTTLS, STLS), not only the implicit-TLS ones
     * @param refused  runs for each client refused by the limits (the protocol's metric)
     */
    public Listeners(Vertx vertx, String protocol, String host, Optional<PemKeyCertOptions> keyPair, ConnectionLimits limits,
            Lines lines, Runnable refused) {
        this.vertx = vertx;
        this.protocol = protocol;
        this.host = host;
        this.keyPair = keyPair;
        this.limits = limits;
        this.lines = lines;
        this.refused = refused;
    }

    /**
     * Binds a listener and waits until it is bound, so that a port clash fails
     * the start; {@code opener} makes each admitted client's connection.
     *
     * @param name        what the log calls the listener ("SMTP MTA", "POP3S")
     * @param implicitTls TLS from the first byte (RFC 8314)
     * @return the bound port: {@code port}, or the one picked for 0
     */
    public int bind(String name, int port, boolean implicitTls, Opener opener) {
        NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setSsl(implicitTls);
        keyPair.ifPresent(options::setKeyCertOptions);
        NetServer server = vertx.createNetServer(options).connectHandler(socket -> accept(socket, opener));
        server.listen().toCompletionStage().toCompletableFuture().join();
        servers.add(server);
        LOG.infof("%s listening on %s:%d", name, host, server.actualPort());
        return server.actualPort();
    }

    private void accept(NetSocket socket, Opener opener) {
        if (stopping) {
            sayAndClose(socket, lines.shuttingDown());
            return;
        }
        String client = socket.remoteAddress().hostAddress();
        if (!limits.admit(client)) {
            refused.run();
            sayAndClose(socket, lines.tooManyConnections());
            return;
        }
        PipelinedConnection<?> connection;
        try {
            connection = opener.open(socket, () -> closed(socket, client));
        } catch (RuntimeException e) {
            // a connection that could not be made holds no slot: the client may try again
            LOG.errorf(e, "%s connection from %s could not start", protocol, client);
            limits.release(client);
            socket.close();
            return;
        }
        live.put(socket, connection);
        if (stopping) {
            // stop() began while this client was let in, and its round of goodbyes missed it
            connection.shutDown(lines.shuttingDown());
        }
    }

    private static void sayAndClose(NetSocket socket, String line) {
        socket.write(line).onComplete(written -> socket.close());
    }

    private void closed(NetSocket socket, String client) {
        limits.release(client);
        live.remove(socket);
        if (stopping && live.isEmpty()) {
            drained.complete(null);
        }
    }

    /**
     * Graceful stop: a client that connects from now on hears the goodbye
     * at once, and so does every idle session; a busy one hears it right after
     * the response in progress ({@link PipelinedConnection#shutDown}). Waits,
     * on the calling thread (the shutdown one: never an event loop), until they
     * have all closed or {@code grace} is over, then closes the listeners,
     * which cuts whatever is still open.
     */
    public void stop(Duration grace) {
        stopping = true;
        live.values().forEach(connection -> connection.shutDown(lines.shuttingDown()));
        if (live.isEmpty()) {
            drained.complete(null);
        }
        drained.completeOnTimeout(null, grace.toNanos(), TimeUnit.NANOSECONDS).join();
        LOG.infof("%s stopping; %d sessions cut at the end of the grace period", protocol, live.size());
        servers.forEach(server -> server.close().toCompletionStage().toCompletableFuture().join());
    }
}
