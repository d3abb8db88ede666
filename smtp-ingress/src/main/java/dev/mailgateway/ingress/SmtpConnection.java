package dev.mailgateway.ingress;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.line.LineDecoder;
import dev.mailgateway.common.line.PipelinedConnection;
import dev.mailgateway.ingress.protocol.SmtpInputDecoder;
import dev.mailgateway.ingress.protocol.SmtpReply;
import dev.mailgateway.ingress.protocol.SmtpSession;

/**
 * One SMTP client: command lines and message data from the socket to the
 * {@link SmtpSession}, replies back. Between the 354 and the end of data the
 * decoder hands out message data instead of command lines.
 */
final class SmtpConnection extends PipelinedConnection<SmtpReply> {

    /** RFC 5321 section 4.5.3.1.4 allows 512; SIZE, DSN and AUTH= extend it (CONTRACT.md). */
    static final int MAX_COMMAND_LINE = 2048;

    private final SmtpSession session;
    private final IngressMetrics metrics;
    private final SmtpInputDecoder decoder = new SmtpInputDecoder(MAX_COMMAND_LINE);

    SmtpConnection(NetSocket socket, SmtpSession session, IngressMetrics metrics) {
        super(socket);
        this.session = session;
        this.metrics = metrics;
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
        if (session.state() == SmtpSession.State.DATA) {
            SmtpInputDecoder.DataPiece piece = decoder.nextDataPiece();
            if (piece == null) {
                return null;
            }
            Future<SmtpReply> reply = session.data(piece);
            // no reply until the end of data
            return reply == null ? Future.succeededFuture() : reply.onSuccess(metrics::messageAnswered);
        }
        LineDecoder.Line line = decoder.nextLine();
        return line == null ? null : session.command(line);
    }

    @Override
    protected Future<Void> answer(SmtpReply reply) {
        if (reply != null) {
            write(reply.wire());
            if (session.state() == SmtpSession.State.DATA) {
                decoder.startData();
            }
        }
        return Future.succeededFuture();
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
