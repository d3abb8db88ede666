package dev.mailgateway.pop3;

import org.jboss.logging.Logger;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.line.LineDecoder;
import dev.mailgateway.pop3.protocol.DotStuffer;
import dev.mailgateway.pop3.protocol.Pop3Response;
import dev.mailgateway.pop3.protocol.Pop3Session;

/**
 * Wires one socket to one {@link Pop3Session} on its event loop. Pipelined
 * commands (RFC 2449) are answered in order: the socket is paused while a
 * response waits for the store or streams. RETR reads the body chunk by
 * chunk and waits for the socket to drain, so a slow reader of a 25 MiB
 * message holds at most a chunk or two in memory.
 */
final class Pop3Connection {

    private static final Logger LOG = Logger.getLogger(Pop3Connection.class);

    /** Bytes read from PostgreSQL per round trip while streaming a message. */
    static final int CHUNK = 256 * 1024;

    private final NetSocket socket;
    private final Pop3Session session;
    private final Pop3Metrics metrics;
    private final LineDecoder decoder = new LineDecoder(Pop3Session.MAX_COMMAND_LINE);
    private final Context context = Vertx.currentContext();
    private boolean waiting;
    private boolean closed;

    Pop3Connection(NetSocket socket, Pop3Session session, Pop3Metrics metrics) {
        this.socket = socket;
        this.session = session;
        this.metrics = metrics;
    }

    void start() {
        metrics.sessionOpened();
        socket.handler(chunk -> {
            decoder.feed(chunk);
            drain();
        });
        socket.closeHandler(v -> {
            closed = true;
            LOG.infof("disconnect from %s %s", socket.remoteAddress().hostAddress(), session.summary());
        });
        socket.exceptionHandler(e -> LOG.debugf("connection from %s: %s", socket.remoteAddress().hostAddress(), e.getMessage()));
        writeLine(session.greeting().status());
    }

    private void drain() {
        while (!waiting && !closed && session.state() != Pop3Session.State.CLOSED) {
            LineDecoder.Line line = decoder.nextLine();
            if (line == null) {
                return;
            }
            Pop3Session.State before = session.state();
            Future<Pop3Response> response = session.command(line);
            waiting = true;
            socket.pause();
            response.compose(this::send).onComplete(done -> context.runOnContext(v -> {
                if (before == Pop3Session.State.AUTHORIZATION && line.text().regionMatches(true, 0, "PASS", 0, 4)) {
                    metrics.login(session.state() == Pop3Session.State.TRANSACTION);
                }
                waiting = false;
                if (done.failed()) {
                    LOG.warnf("connection from %s: %s", socket.remoteAddress().hostAddress(), done.cause().toString());
                    socket.close();
                    return;
                }
                if (session.state() == Pop3Session.State.CLOSED) {
                    socket.end().onComplete(x -> socket.close());
                    return;
                }
                socket.resume();
                drain();
            }));
        }
    }

    private Future<Void> send(Pop3Response response) {
        writeLine(response.status());
        if (response instanceof Pop3Response.Lines lines) {
            DotStuffer stuffer = new DotStuffer();
            Buffer body = Buffer.buffer();
            lines.lines().forEach(l -> body.appendString(l).appendString("\r\n"));
            socket.write(stuffer.stuff(body));
            socket.write(stuffer.terminator());
        } else if (response instanceof Pop3Response.Message message) {
            Promise<Void> sent = Promise.promise();
            stream(message, new DotStuffer(), 0, sent);
            return sent.future().onSuccess(v -> metrics.retrieved(message.size()));
        }
        return Future.succeededFuture();
    }

    /** Sends the message from {@code offset} on, a chunk at a time, respecting the socket's write queue. */
    private void stream(Pop3Response.Message message, DotStuffer stuffer, long offset, Promise<Void> sent) {
        if (closed) {
            sent.fail("client went away during RETR");
            return;
        }
        if (offset >= message.size()) {
            socket.write(stuffer.terminator());
            sent.complete();
            return;
        }
        int length = (int) Math.min(CHUNK, message.size() - offset);
        message.source().read(offset, length).onComplete(chunk -> context.runOnContext(v -> {
            if (chunk.failed()) {
                sent.fail(chunk.cause());
                return;
            }
            socket.write(stuffer.stuff(chunk.result()));
            long next = offset + chunk.result().length();
            if (chunk.result().length() == 0) {
                // the stored body is shorter than its recorded size: end the response rather than loop
                stream(message, stuffer, message.size(), sent);
            } else if (socket.writeQueueFull()) {
                socket.drainHandler(d -> {
                    socket.drainHandler(null);
                    stream(message, stuffer, next, sent);
                });
            } else {
                stream(message, stuffer, next, sent);
            }
        }));
    }

    private void writeLine(String line) {
        if (!closed) {
            socket.write(line + "\r\n");
        }
    }
}
