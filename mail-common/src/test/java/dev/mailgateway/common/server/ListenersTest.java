package dev.mailgateway.common.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.codec.LineDecoder;
import dev.mailgateway.common.testing.LineClient;

/** Admission and graceful stop over real sockets, with a line protocol whose "HOLD" keeps a session busy until the test lets go. */
class ListenersTest {

    private static final String GOODBYE = "BYE shutting down";

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger refused = new AtomicInteger();
    /** Completed by the test: the answer to HOLD. */
    private final Promise<String> held = Promise.promise();
    /** Counted down when a session starts on HOLD. */
    private final CountDownLatch holding = new CountDownLatch(1);
    private Listeners listeners;
    private int port;

    /** Echoes each line at once, but answers "HOLD" only once the test completes {@link #held}. */
    private final class EchoConnection extends PipelinedConnection<String> {

        private final LineDecoder decoder = new LineDecoder(1000);
        private final Runnable closed;

        EchoConnection(NetSocket socket, Runnable closed) {
            super(socket, new VertxTimers(vertx));
            this.closed = closed;
        }

        @Override
        protected void onClose() {
            closed.run();
        }

        @Override
        protected void feed(Buffer chunk) {
            decoder.feed(chunk);
        }

        @Override
        protected Future<String> next() {
            LineDecoder.Line line = decoder.nextLine();
            if (line == null) {
                return null;
            }
            if (line.text().equals("HOLD")) {
                holding.countDown();
                return held.future();
            }
            return Future.succeededFuture(line.text());
        }

        @Override
        protected Future<Void> answer(String response) {
            write(response + "\r\n");
            return Future.succeededFuture();
        }

        @Override
        protected long idleTimeoutMillis() {
            return 60_000;
        }

        @Override
        protected String idleGoodbye() {
            return "BYE idle\r\n";
        }

        @Override
        protected boolean finished() {
            return false;
        }

        @Override
        protected String summary() {
            return "";
        }
    }

    @BeforeEach
    void bind() {
        // two connections per client address: the tests all come from 127.0.0.1
        listeners = new Listeners(vertx, "TEST", "127.0.0.1", Optional.empty(), new ConnectionLimits(10, 2),
                new Listeners.Lines("BUSY too many connections\r\n", GOODBYE + "\r\n"), refused::incrementAndGet);
        port = listeners.bind("TEST", 0, false, (socket, closed) -> {
            EchoConnection connection = new EchoConnection(socket, closed);
            connection.start("HELLO\r\n");
            return connection;
        });
    }

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private LineClient connect() throws Exception {
        LineClient client = new LineClient(port);
        client.expect("HELLO");
        return client;
    }

    @Test
    void aClientOverTheLimitsIsRefusedAndAClosedConnectionGivesItsPlaceBack() throws Exception {
        try (LineClient first = connect(); LineClient second = connect()) {
            try (LineClient third = new LineClient(port)) {
                third.expect("BUSY too many connections");
                assertNull(third.line(), "closed after the refusal");
            }
            assertEquals(1, refused.get());
            first.close();
            LineClient again = null;
            // the place comes back once the server has seen the close
            for (int attempt = 0; attempt < 50 && again == null; attempt++) {
                LineClient c = new LineClient(port);
                if ("HELLO".equals(c.line())) {
                    again = c;
                } else {
                    c.close();
                    Thread.sleep(50);
                }
            }
            assertTrue(again != null, "a place again after a connection closed");
            again.close();
        }
    }

    @Test
    void stopSaysGoodbyeToIdleSessionsAtOnceAndToBusyOnesAfterTheirResponse() throws Exception {
        try (LineClient idle = connect(); LineClient busy = connect()) {
            busy.send("HOLD\r\n");
            assertTrue(holding.await(5, TimeUnit.SECONDS));
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> listeners.stop(Duration.ofSeconds(30)));

            idle.expect(GOODBYE);
            assertNull(idle.line(), "an idle session ends at once");
            try (LineClient late = new LineClient(port)) {
                late.expect(GOODBYE);
                assertNull(late.line(), "a client connecting while stopping hears the goodbye instead of a greeting");
            }
            assertFalse(stopped.isDone(), "the stop waits for the busy session");

            held.complete("HELD");
            busy.expect("HELD");
            busy.expect(GOODBYE);
            assertNull(busy.line());
            // long before the 30 s grace: the stop ends when the last session closed
            stopped.get(10, TimeUnit.SECONDS);
        }
        // the listener is closed: its port can be listened on again (the sessions' closed connections
        // linger in TIME_WAIT, which SO_REUSEADDR allows; a connect attempt could self-connect on an ephemeral port)
        try (ServerSocket rebound = new ServerSocket()) {
            rebound.setReuseAddress(true);
            rebound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertEquals(port, rebound.getLocalPort());
        }
    }

    @Test
    void aSessionStillBusyWhenTheGraceRunsOutIsCut() throws Exception {
        try (LineClient busy = connect()) {
            busy.send("HOLD\r\n");
            assertTrue(holding.await(5, TimeUnit.SECONDS));
            long start = System.nanoTime();
            listeners.stop(Duration.ofMillis(300));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 300, "waited out the grace: " + waitedMillis + " ms");
            assertNull(busy.line(), "cut without a goodbye, its response never came");
        }
    }
}
