package dev.mailgateway.ingress;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.codec.LineDecoder;
import dev.mailgateway.common.server.PipelinedConnection;
import dev.mailgateway.common.server.Timers;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.ingress.protocol.SmtpInputDecoder;
import dev.mailgateway.ingress.protocol.SmtpSession;

/**
 * One SMTP client: command lines and message data from the socket to the
 * {@link SmtpSession}, replies back. Between the 354 and the end of data the
 * decoder hands out message data instead of command lines. Lines are read up
 * to the AUTH limit; the session holds other commands to the shorter one.
 */
final class SmtpConnection extends PipelinedConnection<SmtpReply> {

    /**
     * Silence allowed between commands and inside DATA (RFC 5321 section
     * 4.5.3.2), and the longest DATA or BDAT transaction ({@code smtp.max-data-time}).
     */
    record Timeouts(long commandMillis, long dataMillis, long maxDataMillis) {
    }

    private final SmtpSession session;
    private final IngressMetrics metrics;
    private final Timeouts timeouts;
    private final Runnable closed;
    private final SmtpInputDecoder decoder = new SmtpInputDecoder(SmtpSession.MAX_AUTH_LINE);
    /** The timer of the transaction in progress' deadline; -1: none. */
    private long dataDeadlineTimer = -1;

    SmtpConnection(NetSocket socket, SmtpSession session, IngressMetrics metrics, Timeouts timeouts, Timers timers,
            Runnable closed) {
        super(socket, timers);
        this.session = session;
        this.metrics = metrics;
        this.timeouts = timeouts;
        this.closed = closed;
    }

    void start() {
        metrics.sessionOpened();
        start(session.greeting().wire());
    }

    @Override
    protected void feed(Buffer chunk) {
        decoder.feed(chunk);
    }

    @Override
    protected Future<SmtpReply> next() {
        if (session.state() == SmtpSession.State.BDAT) {
            Buffer chunk = decoder.nextChunk(session.chunkRemaining());
            return chunk == null ? null : messageStep(session.chunk(chunk));
        }
        if (session.state() == SmtpSession.State.DATA) {
            SmtpInputDecoder.DataPiece piece = decoder.nextDataPiece();
            return piece == null ? null : messageStep(session.data(piece));
        }
        LineDecoder.Line line = decoder.nextLine();
        return line == null ? null : session.command(line).onSuccess(reply -> {
            if (reply != null) {
                metrics.command(session.lastVerb(), reply);
            }
        });
    }

    /** Message bytes taken: no reply (null) until the message, or a BDAT chunk, is complete. */
    private Future<SmtpReply> messageStep(Future<SmtpReply> reply) {
        return reply.onSuccess(this::messageAnswered);
    }

    /** The end of a message, or a refused or accepted BDAT chunk: counted by its reply. */
    private void messageAnswered(SmtpReply reply) {
        if (reply != null && (reply.code() != 250 || reply.lines().get(0).startsWith("Ok: queued"))) {
            metrics.messageAnswered(reply);
        }
    }

    @Override
    protected Future<Void> answer(SmtpReply reply) {
        if (reply != null) {
            write(reply.wire());
            if (session.state() == SmtpSession.State.DATA) {
                decoder.startData();
            }
            if (session.takeTlsRequest()) {
                decoder.discardBuffered();
                socket.upgradeToSsl().onComplete(handshake -> metrics.tlsHandshake(handshake.succeeded()));
            }
        }
        watchDataDeadline();
        return Future.succeededFuture();
    }

    /**
     * A transaction's deadline runs from its first octet (after the 354, or
     * the first BDAT) to its reply; unlike the idle timeout, octets that
     * trickle in do not move it.
     */
    private void watchDataDeadline() {
        if (session.receivingMessage() && dataDeadlineTimer < 0) {
            dataDeadlineTimer = timers.schedule(timeouts.maxDataMillis(), this::dataDeadlinePassed);
        } else if (!session.receivingMessage() && dataDeadlineTimer >= 0) {
            timers.cancel(dataDeadlineTimer);
            dataDeadlineTimer = -1;
        }
    }

    private void dataDeadlinePassed() {
        dataDeadlineTimer = -1;
        // a message whose data is all in waits for the broker: that is our side, and it has a bound of its own
        if (!isClosed() && session.receivingMessage()) {
            metrics.dataDeadlinePassed();
            hangUp(session.dataDeadlineReply().wire());
        }
    }

    @Override
    protected long idleTimeoutMillis() {
        return session.receivingMessage() ? timeouts.dataMillis() : timeouts.commandMillis();
    }

    @Override
    protected String idleGoodbye() {
        return session.timeoutReply().wire();
    }

    @Override
    protected void onClose() {
        if (dataDeadlineTimer >= 0) {
            timers.cancel(dataDeadlineTimer);
        }
        session.close();
        closed.run();
    }

    /** A message being received is finished before a shutdown ends the session. */
    @Override
    protected boolean busy() {
        return session.receivingMessage();
    }

    @Override
    protected boolean finished() {
        return session.state() == SmtpSession.State.CLOSED;
    }

    @Override
    protected String summary() {
        return session.summary();
    }
}
