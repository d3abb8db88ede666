package dev.mailgateway.worker.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.common.store.MessageSource;

/**
 * Message data streamed to a scripted server over loopback: a server that answers before the end of the
 * data gets no more of it and the connection is never used again, and a body the store cannot hand out
 * whole is never terminated (the server drops what it got) and ends the delivery as our own failure.
 */
class SmtpClientConnectionTest {

    private static final long SIZE = 40L * MessageSource.CHUNK;

    private Vertx vertx;
    private NetClient client;
    private NetServer server;
    private final Buffer received = Buffer.buffer();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        client = vertx.createNetClient();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void anEarlyRefusalIsTheVerdictAndTheConnectionEnds() throws Exception {
        serve((socket, octets) -> {
            if (octets.length() > 0 && !octets.toString(StandardCharsets.US_ASCII).contains("\r\n.\r\n")) {
                socket.write("554 5.6.0 content refused\r\n");
            }
        });
        Outcome outcome = streamTo(slowly(ascii()));
        assertEquals(554, outcome.reply().code());
        assertFalse(outcome.connection().isOpen(), "never reused after an answer out of step");
        assertFalse(outcome.terminated(), "the rest of the data is not sent");
    }

    @Test
    void anEarly250IsNoVerdictOnAMessageTheServerDidNotGetWhole() throws Exception {
        serve((socket, octets) -> {
            if (octets.length() > 0) {
                socket.write("250 2.0.0 fine\r\n");
            }
        });
        Outcome outcome = streamTo(slowly(ascii()));
        assertEquals("4.4.2", outcome.reply().enhanced());
        assertFalse(outcome.connection().isOpen());
    }

    @Test
    void aBodyTheStoreCannotHandOutIsNeverTerminated() throws Exception {
        serve((socket, octets) -> {
        });
        MessageSource failing = (offset, length) -> offset < 3L * MessageSource.CHUNK ? ascii().read(offset, length)
                : Future.failedFuture(new IllegalStateException("store unavailable"));
        Outcome outcome = streamTo(failing);
        assertInstanceOf(RelayClient.Stop.class, outcome.failure());
        assertEquals("4.3.0", ((RelayClient.Stop) outcome.failure()).reply.enhanced());
        assertFalse(outcome.terminated());
        Thread.sleep(200);
        assertFalse(received.toString(StandardCharsets.US_ASCII).endsWith("\r\n.\r\n"), "no terminator reached the server");
    }

    @Test
    void aBodyShorterThanItsSizeIsOurFailureNotATruncatedMessage() throws Exception {
        serve((socket, octets) -> {
        });
        MessageSource shortBody = (offset, length) -> offset < 2L * MessageSource.CHUNK ? ascii().read(offset, length)
                : Future.succeededFuture(Buffer.buffer());
        Outcome outcome = streamTo(shortBody);
        assertInstanceOf(RelayClient.Stop.class, outcome.failure());
        assertFalse(outcome.terminated());
    }

    @Test
    void aWholeBodyEndsWithTheTerminatorAndItsReply() throws Exception {
        serve((socket, octets) -> {
            if (received.toString(StandardCharsets.US_ASCII).endsWith("\r\n.\r\n")) {
                socket.write("250 2.0.0 queued\r\n");
            }
        });
        Outcome outcome = streamTo(ascii());
        assertEquals(250, outcome.reply().code());
        assertTrue(outcome.terminated());
        assertTrue(outcome.connection().isOpen());
        assertEquals(SIZE + ".\r\n".length(), received.length(), "the body (no line starts with a dot) and the terminator");
    }

    private record Outcome(SmtpClientConnection connection, SmtpReply reply, Throwable failure, boolean terminated) {
    }

    /** A server that greets, then hands every octet it receives after the greeting to {@code onData}. */
    private void serve(BiConsumer<NetSocket, Buffer> onData) throws Exception {
        server = vertx.createNetServer().connectHandler(socket -> {
            socket.handler(octets -> {
                synchronized (received) {
                    received.appendBuffer(octets);
                }
                onData.accept(socket, octets);
            });
            socket.write("220 test ESMTP\r\n");
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Outcome streamTo(MessageSource body) throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        boolean[] terminated = new boolean[1];
        vertx.runOnContext(v -> SmtpClientConnection.open(vertx, client, new NextHop("test", "127.0.0.1"), server.actualPort(), Duration.ofSeconds(10))
                .onFailure(outcome::completeExceptionally)
                .onSuccess(connected -> connected.connection().sendData(body, SIZE, Duration.ofSeconds(30), () -> terminated[0] = true)
                        .onComplete(reply -> outcome.complete(new Outcome(connected.connection(), reply.result(), reply.cause(), terminated[0])))));
        return outcome.get(30, TimeUnit.SECONDS);
    }

    /** Each chunk 10 ms after it is asked for, as from a busy store: the server's early answer comes mid-stream. */
    private MessageSource slowly(MessageSource body) {
        return (offset, length) -> {
            io.vertx.core.Promise<Buffer> chunk = io.vertx.core.Promise.promise();
            vertx.setTimer(10, t -> body.read(offset, length).onComplete(chunk));
            return chunk.future();
        };
    }

    /** SIZE octets of 78-character lines. */
    private static MessageSource ascii() {
        Buffer whole = Buffer.buffer();
        byte[] line = ("x".repeat(78) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        while (whole.length() < SIZE) {
            whole.appendBytes(line, 0, (int) Math.min(line.length, SIZE - whole.length()));
        }
        return MessageSource.of(whole);
    }
}
