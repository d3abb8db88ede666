package dev.mailgateway.common.testing;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

/** A protocol server on a free loopback port with its own Vert.x, for transcript tests. */
public final class LoopbackServer implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final NetServer server;

    public LoopbackServer(Handler<NetSocket> connections) {
        server = vertx.createNetServer().connectHandler(connections);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().join();
    }

    /** Its Vert.x, for collaborators that set timers or find contexts. */
    public Vertx vertx() {
        return vertx;
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
