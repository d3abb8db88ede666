package dev.mailgateway.worker.remote;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.codec.DotStuffer;
import dev.mailgateway.common.codec.LineDecoder;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.common.store.MessageSource;

/**
 * One client connection to an SMTP server: lines out, replies back in the
 * order the commands went, so a pipelined group (RFC 2920) is just several
 * sends before the first reply is awaited. Every awaited reply has its own
 * timeout; a timeout, a broken reply or a closed socket fails every reply
 * still due and closes the connection.
 */
final class SmtpClientConnection {

    private final Vertx vertx;
    private final NetSocket socket;
    private final LineDecoder lines = new LineDecoder(SmtpReply.MAX_LINE_LENGTH + 2);
    private final SmtpReply.Reader reader = new SmtpReply.Reader();
    private final Deque<Due> due = new ArrayDeque<>();
    /** The context the socket's callbacks run on: the data stream comes back to it from the store's. */
    private final Context context;
    private Throwable broken;
    /** Message data is going out: its reply is due only after the terminator. */
    private boolean streaming;

    private record Due(Promise<SmtpReply> reply, long timer) {
    }

    private SmtpClientConnection(Vertx vertx, NetSocket socket) {
        this.vertx = vertx;
        this.socket = socket;
        this.context = vertx.getOrCreateContext();
        socket.handler(this::received);
        socket.exceptionHandler(this::fail);
        socket.closeHandler(v -> fail(new RelayException("connection closed by the server")));
    }

    /** Connects and waits for the greeting, which is the first reply due. */
    static Future<Connected> open(Vertx vertx, NetClient client, NextHop hop, int port, Duration greetingTimeout) {
        return client.connect(port, hop.address()).map(socket -> new SmtpClientConnection(vertx, socket))
                .compose(connection -> connection.expect(greetingTimeout).map(greeting -> new Connected(connection, greeting)));
    }

    record Connected(SmtpClientConnection connection, SmtpReply greeting) {
    }

    /** Sends one command line; the future is its reply. */
    Future<SmtpReply> send(String command, Duration timeout) {
        if (broken == null) {
            socket.write(command + "\r\n");
        }
        return expect(timeout);
    }

    /** Sends message data already dot-stuffed and terminated (an empty message); the future is the reply to its end. */
    Future<SmtpReply> sendData(Buffer data, Duration timeout) {
        if (broken == null) {
            socket.write(data);
        }
        return expect(timeout);
    }

    /**
     * Sends a message's data from {@code body}: a chunk at a time, dot-stuffed, each written once the socket has
     * room for it, then the terminating ".CRLF", when {@code terminated} runs. The next chunk is read while this
     * one is written, so a transaction holds two chunks at most, whatever the message's size. The future is the
     * reply to the end; {@code timeout} bounds sending and reply together, so a server that stops reading cannot
     * hold the job. A body that cannot be read whole is our failure, a {@link RelayClient.Stop}: the connection
     * breaks before the terminator, so the server drops what it got (RFC 5321 section 4.1.1.4), and no other
     * host is tried with it.
     */
    Future<SmtpReply> sendData(MessageSource body, long size, Duration timeout, Runnable terminated) {
        Future<SmtpReply> reply = expect(timeout);
        streaming = true;
        new DataStream(body, size, terminated).send(0, DataStream.read(body, size, 0));
        return reply;
    }

    /** One message's data on its way out: a chunk read ahead, each written as the socket drains. */
    private final class DataStream {

        private final MessageSource body;
        private final long size;
        private final Runnable terminated;
        private final DotStuffer stuffer = new DotStuffer();

        DataStream(MessageSource body, long size, Runnable terminated) {
            this.body = body;
            this.size = size;
            this.terminated = terminated;
        }

        /** The chunk of the body at {@code offset}; an empty one past its end. */
        static Future<Buffer> read(MessageSource body, long size, long offset) {
            return offset >= size ? Future.succeededFuture(Buffer.buffer())
                    : body.read(offset, (int) Math.min(MessageSource.CHUNK, size - offset));
        }

        void send(long offset, Future<Buffer> chunk) {
            // a chunk already in memory (a small message) goes out at once; a read from the store comes back to this connection's context
            if (chunk.isComplete() && Vertx.currentContext() == context) {
                write(offset, chunk);
            } else {
                chunk.onComplete(read -> context.runOnContext(v -> write(offset, read)));
            }
        }

        private void write(long offset, AsyncResult<Buffer> chunk) {
            if (broken != null || !streaming) {
                return;
            }
            try {
                if (chunk.failed() || chunk.result() == null) {
                    throw new IllegalStateException("message body could not be read: " + chunk.cause());
                }
                long next = offset + chunk.result().length();
                if (next < size && chunk.result().length() == 0) {
                    throw new IllegalStateException("message body ends at octet " + offset + " of " + size);
                }
                Buffer stuffed = stuffer.stuff(chunk.result());
                if (next >= size) {
                    streaming = false;
                    socket.write(DotStuffer.joined(stuffed, stuffer.terminator()));
                    terminated.run();
                    return;
                }
                Future<Buffer> following = read(body, size, next);
                socket.write(stuffed);
                if (socket.writeQueueFull()) {
                    socket.drainHandler(drained -> {
                        socket.drainHandler(null);
                        send(next, following);
                    });
                } else {
                    send(next, following);
                }
            } catch (RuntimeException e) {
                fail(new RelayClient.Stop(SmtpReply.of(451, "4.3.0", "local error, message not sent: " + e.getMessage())));
            }
        }
    }

    /** RFC 3207: after 220 to STARTTLS, the handshake; nothing sent before it counts afterwards. */
    Future<Void> startTls(String serverName) {
        lines.discardBuffered();
        return socket.upgradeToSsl(serverName);
    }

    boolean isOpen() {
        return broken == null;
    }

    boolean isEncrypted() {
        return socket.isSsl();
    }

    /** Says goodbye (RFC 5321 section 4.1.1.10) without waiting long for the answer, then closes. */
    void quit() {
        if (broken == null) {
            send("QUIT", Duration.ofSeconds(5)).onComplete(done -> close());
        }
    }

    void close() {
        fail(new RelayException("connection closed"));
        socket.close();
    }

    private Future<SmtpReply> expect(Duration timeout) {
        if (broken != null) {
            return Future.failedFuture(broken);
        }
        Promise<SmtpReply> reply = Promise.promise();
        long timer = vertx.setTimer(timeout.toMillis(),
                id -> fail(new RelayException("no reply within " + timeout.toSeconds() + "s")));
        due.add(new Due(reply, timer));
        return reply.future();
    }

    private void received(Buffer chunk) {
        lines.feed(chunk);
        LineDecoder.Line line;
        while (broken == null && (line = lines.nextLine()) != null) {
            if (line.tooLong()) {
                fail(new RelayException("reply line longer than " + SmtpReply.MAX_LINE_LENGTH + " octets"));
                return;
            }
            try {
                SmtpReply reply = reader.add(line.text());
                if (reply != null) {
                    answer(reply);
                }
            } catch (SmtpReply.MalformedReplyException e) {
                fail(new RelayException(e.getMessage()));
            }
        }
    }

    private void answer(SmtpReply reply) {
        Due next = due.poll();
        if (next == null) {
            fail(new RelayException("reply without a command: " + reply.summary()));
            return;
        }
        vertx.cancelTimer(next.timer());
        if (streaming) {
            // an answer before the end of the data: the rest can no longer be sent in step with the replies, so the
            // connection ends here; and a positive one is no verdict on a message the server did not get whole
            streaming = false;
            broken = new RelayException("reply before the end of data: " + reply.summary());
            socket.close();
            next.reply().complete(reply.isPositive() ? SmtpReply.of(451, "4.4.2", "reply before the end of data: " + reply.summary()) : reply);
            return;
        }
        next.reply().complete(reply);
    }

    private void fail(Throwable cause) {
        if (broken == null) {
            broken = cause;
            socket.close();
        }
        Due next;
        while ((next = due.poll()) != null) {
            vertx.cancelTimer(next.timer());
            next.reply().tryFail(cause);
        }
    }

    /** The connection failed as a connection: a reason to try the next host, never a verdict on the mail. */
    static final class RelayException extends RuntimeException {
        RelayException(String message) {
            super(message, null, false, false);
        }
    }
}
