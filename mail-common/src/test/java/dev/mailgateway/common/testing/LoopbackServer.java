package dev.mailgateway.common.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

/** A protocol server on a free loopback port with its own Vert.x, for transcript tests. */
public final class LoopbackServer implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;

    public LoopbackServer(Handler<NetSocket> connections) {
        this(null, connections);
    }

    /** With {@code keyPair} (null: none) its connections can turn to TLS (STARTTLS, STLS). */
    public LoopbackServer(PemKeyCertOptions keyPair, Handler<NetSocket> connections) {
        server = vertx.createNetServer(new NetServerOptions().setKeyCertOptions(keyPair)).connectHandler(connections);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    }

    /** Its Vert.x, for collaborators that set timers or find contexts. */
    public Vertx vertx() {
        return vertx;
    }

    /** The key pair {@code deploy/local/up infra} makes (LocalStack), for servers that offer TLS. */
    public static PemKeyCertOptions localKeyPair() {
        LocalStack.ensureInfrastructure();
        return new PemKeyCertOptions().setCertPath(LocalStack.tlsCertificate().toString()).setKeyPath(LocalStack.tlsKey().toString());
    }

    /** A client connected to it. */
    public LineClient connect() throws java.io.IOException {
        return new LineClient(server.actualPort());
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
