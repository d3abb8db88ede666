package dev.mailgateway.common.server;

import java.util.concurrent.TimeUnit;

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
    /** The clock and timers of the idle timeout and of a subclass's own (SMTP's data deadline); virtual time in tests. */
    protected final Timers timers;
    private boolean waiting;
    private boolean closed;
    private String shutdownGoodbye;
    /** The one pending idle timer (-1: none), when it fires and when the client's silence ends the session, in timers.nanoTime(). */
    private long idleTimer = -1;
    private long idleTimerFiresAt;
    private long idleDeadline;

    protected PipelinedConnection(NetSocket socket, Timers timers) {
        this.socket = socket;
        this.timers = timers;
    }

    /** Installs the handlers and sends the greeting. */
    public final void start(String greeting) {
        socket.handler(chunk -> {
            feed(chunk);
            drain();
            armIdleTimer();
        });
        socket.closeHandler(v -> {
            closed = true;
            cancelIdleTimer();
            LOG.infof("disconnect from %s %s", socket.remoteAddress().hostAddress(), summary());
            onClose();
        });
        socket.exceptionHandler(e -> LOG.debugf("connection from %s: %s", socket.remoteAddress().hostAddress(), e.getMessage()));
        write(greeting);
        armIdleTimer();
    }

    /** How long the client may stay silent now; the session's state decides (RFC 5321 section 4.5.3.2, RFC 1939 section 3). */
    protected abstract long idleTimeoutMillis();

    /** The last words to a client that stayed silent too long, CRLF included. */
    protected abstract String idleGoodbye();

    /** Called once when the connection has closed, whoever closed it. */
    protected void onClose() {
    }

    /** True while the session is in the middle of something a shutdown lets finish (a message being received). */
    protected boolean busy() {
        return false;
    }

    /**
     * Ends the session for a shutdown: at once when it is idle, else right
     * after the response to the work in progress. Safe from any thread.
     */
    public final void shutDown(String goodbye) {
        context.runOnContext(v -> {
            shutdownGoodbye = goodbye;
            if (!closed && !waiting && !busy()) {
                hangUp(goodbye);
            }
        });
    }

    /** Ends the session from our side: the goodbye, then close. */
    protected final void hangUp(String goodbye) {
        cancelIdleTimer();
        write(goodbye);
        socket.pause();
        socket.end().onComplete(x -> socket.close());
    }

    /**
     * Moves the idle deadline to a full timeout from now. The pending timer
     * stays where it is when it fires before the new deadline: it then looks
     * again and waits out the rest. A busy connection so costs one timer per
     * timeout period, not one per command or chunk of message data.
     */
    private void armIdleTimer() {
        if (closed) {
            return;
        }
        long timeout = idleTimeoutMillis();
        idleDeadline = timers.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        if (idleTimer >= 0 && idleTimerFiresAt - idleDeadline <= 0) {
            return;
        }
        // none pending, or it would fire too late (the timeout just got shorter)
        cancelIdleTimer();
        scheduleIdleCheck(timeout);
    }

    private void scheduleIdleCheck(long delayMillis) {
        idleTimerFiresAt = timers.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        idleTimer = timers.schedule(delayMillis, this::idleCheck);
    }

    private void idleCheck() {
        idleTimer = -1;
        if (closed) {
            return;
        }
        long left = idleDeadline - timers.nanoTime();
        if (left > 0) {
            scheduleIdleCheck(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
        } else if (waiting) {
            // we are the slow side (a lookup, Kafka, a slow reader): not the client's fault
            armIdleTimer();
        } else {
            LOG.infof("timeout after %s from %s", summary(), socket.remoteAddress().hostAddress());
            hangUp(idleGoodbye());
        }
    }

    private void cancelIdleTimer() {
        if (idleTimer >= 0) {
            timers.cancel(idleTimer);
            idleTimer = -1;
        }
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

    /** One write, one flush: a response written in one piece costs one system call. */
    protected final void write(Buffer bytes) {
        if (!closed) {
            socket.write(bytes);
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
        if (shutdownGoodbye != null && !busy()) {
            hangUp(shutdownGoodbye);
            return false;
        }
        armIdleTimer();
        return true;
    }
}
