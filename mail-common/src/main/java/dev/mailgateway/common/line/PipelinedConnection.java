package dev.mailgateway.common.line;

import org.jboss.logging.Logger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * Wires one socket to one command/response session (SMTP, POP3) on its event
 * loop. Pipelined commands (RFC 2920, RFC 2449) are answered strictly in
 * order: while a response waits for the database, for Kafka or for a slow
 * reader, the socket is paused, so a client can make us hold no more than
 * one read ahead. Responses are always written from the connection's own
 * event loop, whichever thread completed the work.
 *
 * @param <R> the session's response type
 */
public abstract class PipelinedConnection<R> {

    private static final Logger LOG = Logger.getLogger(PipelinedConnection.class);

    protected final NetSocket socket;
    protected final Context context = Vertx.currentContext();
    private boolean waiting;
    private boolean closed;

    protected PipelinedConnection(NetSocket socket) {
        this.socket = socket;
    }

    /** Installs the handlers and sends the greeting. */
    public final void start(String greeting) {
        socket.handler(chunk -> {
            feed(chunk);
            drain();
        });
        socket.closeHandler(v -> {
            closed = true;
            LOG.infof("disconnect from %s %s", socket.remoteAddress().hostAddress(), summary());
        });
        socket.exceptionHandler(e -> LOG.debugf("connection from %s: %s", socket.remoteAddress().hostAddress(), e.getMessage()));
        write(greeting);
    }

    /** Takes bytes the client sent. */
    protected abstract void feed(Buffer chunk);

    /** Starts on the next buffered command; null while more input is needed. */
    protected abstract Future<R> next();

    /** Writes a response, on the event loop; completes once it is all handed to the socket. */
    protected abstract Future<Void> answer(R response);

    /** True once the session ended (QUIT answered): the connection closes. */
    protected abstract boolean finished();

    /** What the session did, for the disconnect log line. */
    protected abstract String summary();

    /** True once the client went away. */
    protected final boolean isClosed() {
        return closed;
    }

    protected final void write(String text) {
        if (!closed) {
            socket.write(text);
        }
    }

    private void drain() {
        while (!waiting && !closed && !finished()) {
            Future<R> response = next();
            if (response == null) {
                return;
            }
            Future<Void> step = answered(response);
            if (step.isComplete()) {
                if (!carryOn(step)) {
                    return;
                }
                continue;
            }
            waiting = true;
            socket.pause();
            step.onComplete(done -> context.runOnContext(v -> {
                waiting = false;
                if (carryOn(done)) {
                    socket.resume();
                    drain();
                }
            }));
        }
    }

    /** The response written on the event loop, even when the work completed elsewhere. */
    private Future<Void> answered(Future<R> response) {
        if (response.isComplete()) {
            return response.succeeded() ? answer(response.result()) : Future.failedFuture(response.cause());
        }
        Promise<Void> written = Promise.promise();
        response.onComplete(result -> context.runOnContext(v ->
                (result.succeeded() ? answer(result.result()) : Future.<Void>failedFuture(result.cause())).onComplete(written)));
        return written.future();
    }

    /** After a response: false when the connection ends here. */
    private boolean carryOn(AsyncResult<Void> step) {
        if (step.failed()) {
            LOG.warnf("connection from %s: %s", socket.remoteAddress().hostAddress(), step.cause().toString());
            socket.close();
            return false;
        }
        if (finished()) {
            socket.end().onComplete(x -> socket.close());
            return false;
        }
        return true;
    }
}
