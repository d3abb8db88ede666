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

import dev.mailgateway.common.line.DotStuffer;
import dev.mailgateway.common.line.LineDecoder;
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

    /** Octets read from the store per round trip while streaming a message's data. */
    static final int CHUNK = 64 * 1024;

    private final Vertx vertx;
    private final NetSocket socket;
    private final LineDecoder lines = new LineDecoder(SmtpReply.MAX_LINE_LENGTH + 2);
    private final SmtpReply.Reader reader = new SmtpReply.Reader();
    private final Deque<Due> due = new ArrayDeque<>();
    private Throwable broken;

    private record Due(Promise<SmtpReply> reply, long timer) {
    }

    private SmtpClientConnection(Vertx vertx, NetSocket socket) {
        this.vertx = vertx;
        this.socket = socket;
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
     * hold the job. A body that cannot be read breaks the connection before the terminator: the server drops
     * what it got (RFC 5321 section 4.1.1.4).
     */
    Future<SmtpReply> sendData(MessageSource body, long size, Duration timeout, Runnable terminated) {
        Future<SmtpReply> reply = expect(timeout);
        stream(body, size, new DotStuffer(), 0, read(body, size, 0), terminated, vertx.getOrCreateContext());
        return reply;
    }

    /** The chunk of the body at {@code offset}; an empty one past its end. */
    private static Future<Buffer> read(MessageSource body, long size, long offset) {
        return offset >= size ? Future.succeededFuture(Buffer.buffer()) : body.read(offset, (int) Math.min(CHUNK, size - offset));
    }

    private void stream(MessageSource body, long size, DotStuffer stuffer, long offset, Future<Buffer> chunk, Runnable terminated,
            Context context) {
        // a chunk already in memory (a small message) goes out at once; one read from the store comes back to this connection's context
        if (chunk.isComplete() && Vertx.currentContext() == context) {
            write(body, size, stuffer, offset, chunk, terminated, context);
        } else {
            chunk.onComplete(read -> context.runOnContext(v -> write(body, size, stuffer, offset, read, terminated, context)));
        }
    }

    private void write(MessageSource body, long size, DotStuffer stuffer, long offset, AsyncResult<Buffer> chunk, Runnable terminated,
            Context context) {
        if (broken != null) {
            return;
        }
        if (chunk.failed()) {
            fail(new RelayException("message body could not be read: " + chunk.cause()));
            return;
        }
        Buffer stuffed = stuffer.stuff(chunk.result());
        long next = offset + chunk.result().length();
        // an empty chunk: the store has no more (a body shorter than its recorded size)
        if (chunk.result().length() == 0 || next >= size) {
            socket.write(DotStuffer.joined(stuffed, stuffer.terminator()));
            terminated.run();
            return;
        }
        Future<Buffer> following = read(body, size, next);
        socket.write(stuffed);
        if (socket.writeQueueFull()) {
            socket.drainHandler(drained -> {
                socket.drainHandler(null);
                stream(body, size, stuffer, next, following, terminated, context);
            });
        } else {
            stream(body, size, stuffer, next, following, terminated, context);
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
