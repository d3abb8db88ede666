package dev.mailgateway.ingress;

import org.jboss.logging.Logger;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.line.LineDecoder;
import dev.mailgateway.ingress.protocol.SmtpInputDecoder;
import dev.mailgateway.ingress.protocol.SmtpReply;
import dev.mailgateway.ingress.protocol.SmtpSession;

/**
 * Wires one socket to one {@link SmtpSession} on its event loop. Pipelined
 * commands (RFC 2920) are answered strictly in order: while a reply waits for
 * a lookup or for Kafka, the socket is paused, so a client cannot make us
 * buffer more than one read ahead.
 */
final class SmtpConnection {

    private static final Logger LOG = Logger.getLogger(SmtpConnection.class);

    /** RFC 5321 section 4.5.3.1.4 allows 512; SIZE, DSN and AUTH= extend it (CONTRACT.md). */
    static final int MAX_COMMAND_LINE = 2048;

    private final NetSocket socket;
    private final SmtpSession session;
    private final IngressMetrics metrics;
    private final SmtpInputDecoder decoder = new SmtpInputDecoder(MAX_COMMAND_LINE);
    private final Context context = Vertx.currentContext();
    private boolean waiting;
    private boolean closed;

    SmtpConnection(NetSocket socket, SmtpSession session, IngressMetrics metrics) {
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
        write(session.greeting());
    }

    /** Hands buffered input to the session until it runs out or a reply has to wait. */
    private void drain() {
        while (!waiting && !closed && session.state() != SmtpSession.State.CLOSED) {
            Future<SmtpReply> reply;
            if (session.state() == SmtpSession.State.DATA) {
                SmtpInputDecoder.DataPiece piece = decoder.nextDataPiece();
                if (piece == null) {
                    return;
                }
                reply = session.data(piece);
                if (reply == null) {
                    continue;
                }
                reply = reply.onSuccess(metrics::messageAnswered);
            } else {
                LineDecoder.Line line = decoder.nextLine();
                if (line == null) {
                    return;
                }
                reply = session.command(line);
            }
            send(reply);
        }
    }

    /** Writes the reply now, or pauses input until it is known. */
    private void send(Future<SmtpReply> reply) {
        if (reply.isComplete()) {
            answer(reply);
            return;
        }
        waiting = true;
        socket.pause();
        reply.onComplete(done -> context.runOnContext(v -> {
            waiting = false;
            answer(reply);
            socket.resume();
            drain();
        }));
    }

    private void answer(Future<SmtpReply> reply) {
        write(reply.result());
        if (session.state() == SmtpSession.State.DATA) {
            decoder.startData();
        }
        if (session.state() == SmtpSession.State.CLOSED) {
            socket.end().onComplete(v -> socket.close());
        }
    }

    private void write(SmtpReply reply) {
        if (!closed) {
            socket.write(reply.wire());
        }
    }
}
