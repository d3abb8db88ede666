package dev.mailgateway.pop3;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import dev.mailgateway.common.account.FailedLogins;
import dev.mailgateway.common.codec.DotStuffer;
import dev.mailgateway.common.codec.LineDecoder;
import dev.mailgateway.common.server.PipelinedConnection;
import dev.mailgateway.common.server.Timers;
import dev.mailgateway.pop3.protocol.Pop3Response;
import dev.mailgateway.pop3.protocol.Pop3Session;

/**
 * One POP3 client: command lines to the {@link Pop3Session}, responses back.
 * RETR reads the body chunk by chunk and waits for the socket to drain, so a
 * slow reader of a 25 MiB message holds at most a chunk or two in memory.
 */
final class Pop3Connection extends PipelinedConnection<Pop3Response> {

    /** How often a session renews its maildrop lock: well inside the lease (PgMaildropLease.LOCK_LEASE, 2 minutes). */
    static final java.time.Duration LOCK_RENEWAL = java.time.Duration.ofSeconds(30);

    private final long lockRenewalMillis;
    private long lockRenewal;

    /** Bytes read from PostgreSQL per round trip while streaming a message. */
    static final int CHUNK = 256 * 1024;

    private final Pop3Session session;
    private final Pop3Metrics metrics;
    private final FailedLogins failedLogins;
    private final long idleTimeoutMillis;
    private final Runnable onClose;
    private final String client;
    private final LineDecoder decoder = new LineDecoder(Pop3Session.MAX_COMMAND_LINE);

    /**
     * @param lockRenewalMillis how often the session renews its maildrop lock ({@link #LOCK_RENEWAL}; tests shorten it)
     * @param timers the idle timeout's clock and timers
     * @param onClose runs once when the connection has closed (gives back its place in the connection limits)
     */
    Pop3Connection(NetSocket socket, Pop3Session session, Pop3Metrics metrics, FailedLogins failedLogins, long idleTimeoutMillis,
            long lockRenewalMillis, Timers timers, Runnable onClose) {
        super(socket, timers);
        this.session = session;
        this.metrics = metrics;
        this.failedLogins = failedLogins;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.lockRenewalMillis = lockRenewalMillis;
        this.onClose = onClose;
        this.client = socket.remoteAddress().hostAddress();
    }

    void start() {
        metrics.sessionOpened();
        start(session.greeting().status() + "\r\n");
        lockRenewal = context.owner().setPeriodic(lockRenewalMillis, id -> session.renewLock());
    }

    /** The session's maildrop lock goes with the connection, however it ends. */
    @Override
    protected void onClose() {
        context.owner().cancelTimer(lockRenewal);
        session.release();
        onClose.run();
    }

    @Override
    protected void feed(Buffer chunk) {
        decoder.feed(chunk);
    }

    @Override
    protected Future<Pop3Response> next() {
        LineDecoder.Line line = decoder.nextLine();
        if (line == null) {
            return null;
        }
        return session.command(line).compose(response -> session.takeLoginAttempt()
                .map(attempt -> afterLogin(attempt, response))
                .orElseGet(() -> Future.succeededFuture(response)));
    }

    /** Counts a login; a failed one is answered only after its delay, so guessing passwords is slow. */
    private Future<Pop3Response> afterLogin(Pop3Session.LoginAttempt attempt, Pop3Response response) {
        metrics.login(attempt.result());
        if (attempt.result() == Pop3Session.LoginResult.SUCCESS) {
            failedLogins.succeeded(client);
        } else if (attempt.result() == Pop3Session.LoginResult.FAILURE) {
            long delay = failedLogins.failed(client, attempt.user());
            if (delay > 0) {
                return context.owner().timer(delay).map(response);
            }
        }
        return Future.succeededFuture(response);
    }

    @Override
    protected Future<Void> answer(Pop3Response response) {
        Buffer status = Buffer.buffer(response.status()).appendString("\r\n");
        if (session.takeTlsRequest()) {
            write(status);
            // plaintext pipelined after STLS must not count as sent over TLS
            decoder.discardBuffered();
            return socket.upgradeToSsl().onComplete(handshake -> metrics.tlsHandshake(handshake.succeeded()));
        }
        if (response instanceof Pop3Response.Lines lines) {
            DotStuffer stuffer = new DotStuffer();
            Buffer body = Buffer.buffer();
            lines.lines().forEach(l -> body.appendString(l).appendString("\r\n"));
            write(DotStuffer.joined(status, stuffer.stuff(body), stuffer.terminator()));
        } else if (response instanceof Pop3Response.Message message) {
            Promise<Long> sent = Promise.promise();
            stream(message, new DotStuffer(), status, 0, read(message, 0), sent);
            return sent.future().onSuccess(metrics::retrieved).mapEmpty();
        } else {
            write(status);
        }
        return Future.succeededFuture();
    }

    /** The chunk of the message at {@code offset}; an empty one past its end. */
    private static Future<Buffer> read(Pop3Response.Message message, long offset) {
        if (offset >= message.size()) {
            return Future.succeededFuture(Buffer.buffer());
        }
        return message.source().read(offset, (int) Math.min(CHUNK, message.size() - offset));
    }

    /**
     * Sends the message from {@code offset} on, a chunk at a time, respecting the socket's write queue,
     * with {@code head} (the status line, before the first chunk) in the same write; {@code sent} gets
     * the octets sent. The next chunk is read while this one is written, so the database and the client
     * work at once; a session holds two chunks at most. A chunk already read (ReadAhead) is sent at once:
     * a small message goes out in one write, and the connection does not pause in between.
     */
    private void stream(Pop3Response.Message message, DotStuffer stuffer, Buffer head, long offset, Future<Buffer> chunk,
            Promise<Long> sent) {
        if (chunk.isComplete() && Vertx.currentContext() == context) {
            send(message, stuffer, head, offset, chunk, sent);
        } else {
            chunk.onComplete(read -> context.runOnContext(v -> send(message, stuffer, head, offset, read, sent)));
        }
    }

    private void send(Pop3Response.Message message, DotStuffer stuffer, Buffer head, long offset, AsyncResult<Buffer> chunk,
            Promise<Long> sent) {
        if (isClosed()) {
            sent.fail("client went away during RETR");
            return;
        }
        if (chunk.failed()) {
            sent.fail(chunk.cause());
            return;
        }
        Buffer stuffed = stuffer.stuff(chunk.result());
        long next = offset + chunk.result().length();
        // an empty chunk: the source has no more (the end, TOP's cut, or a body shorter than its recorded size)
        if (chunk.result().length() == 0 || next >= message.size()) {
            write(DotStuffer.joined(head, stuffed, stuffer.terminator()));
            sent.complete(next);
            return;
        }
        Future<Buffer> following = read(message, next);
        write(DotStuffer.joined(head, stuffed));
        if (socket.writeQueueFull()) {
            socket.drainHandler(d -> {
                socket.drainHandler(null);
                stream(message, stuffer, Buffer.buffer(), next, following, sent);
            });
        } else {
            stream(message, stuffer, Buffer.buffer(), next, following, sent);
        }
    }

    @Override
    protected long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    /** RFC 1939 section 3: an autologout timer ends the session without entering UPDATE: nothing is deleted. */
    @Override
    protected String idleGoodbye() {
        return "-ERR Autologout: idle too long\r\n";
    }

    @Override
    protected boolean finished() {
        return session.state() == Pop3Session.State.CLOSED;
    }

    @Override
    protected String summary() {
        return session.summary();
    }
}
