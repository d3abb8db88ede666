package dev.mailgateway.worker.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.reply.SmtpReply;

/**
 * One mail transaction on an open, greeted connection (RFC 5321 section 3.3):
 * MAIL, one RCPT per recipient, DATA, the bytes, and a reply per recipient.
 * With PIPELINING (RFC 2920) MAIL, every RCPT and DATA go in one write. A
 * message this server cannot take as it is (too big, 8-bit or SMTPUTF8 to a
 * server without the extension) fails before anything is sent, as relaying
 * it changed would break signatures and RFC 6152 / 6531 both forbid it.
 * Afterwards the connection is ready for the next transaction or closed.
 */
final class MailTransaction {

    static final SmtpReply TOO_BIG = SmtpReply.of(552, "5.3.4", "message size exceeds the next hop's SIZE limit");
    static final SmtpReply NO_8BITMIME = SmtpReply.of(554, "5.6.3", "8-bit message, and the next hop does not offer 8BITMIME");
    static final SmtpReply NO_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "SMTPUTF8 message, and the next hop does not offer SMTPUTF8");
    private static final Duration RSET_TIMEOUT = Duration.ofSeconds(30);

    private final SmtpClientConnection connection;
    private final ServerCapabilities server;
    private final OutboundMessage message;
    private final Duration commandTimeout;
    private final Duration dataTimeout;
    private boolean sentData;

    MailTransaction(SmtpClientConnection connection, ServerCapabilities server, OutboundMessage message,
            Duration commandTimeout, Duration dataTimeout) {
        this.connection = connection;
        this.server = server;
        this.message = message;
        this.commandTimeout = commandTimeout;
        this.dataTimeout = dataTimeout;
    }

    /** The reply for each recipient, by address, in envelope order. Fails only when the connection does. */
    Future<Map<String, SmtpReply>> run() {
        SmtpReply refusal = refusalBeforeSending();
        if (refusal != null) {
            return Future.succeededFuture(allGet(refusal, message.recipients()));
        }
        return server.offers("PIPELINING") ? pipelined() : stepByStep();
    }

    /**
     * The longest a transaction may take when every reply uses its whole
     * timeout: MAIL, each RCPT and DATA answered in turn (no PIPELINING), the
     * end of data, and an RSET after a refusal.
     */
    static Duration longest(int recipients, Duration commandTimeout, Duration dataTimeout) {
        return commandTimeout.multipliedBy(recipients + 2L).plus(dataTimeout).plus(RSET_TIMEOUT);
    }

    /** Whether the message's data went out to its end: from then on the server may have it, whatever the connection does. */
    boolean sentData() {
        return sentData;
    }

    private SmtpReply refusalBeforeSending() {
        if (server.sizeLimit().isPresent() && message.size() > server.sizeLimit().getAsLong()) {
            return TOO_BIG;
        }
        if (message.smtpUtf8() && !server.offers("SMTPUTF8")) {
            return NO_SMTPUTF8;
        }
        if (!server.offers("8BITMIME") && message.eightBit()) {
            return NO_8BITMIME;
        }
        return null;
    }

    private Future<Map<String, SmtpReply>> pipelined() {
        Future<SmtpReply> mail = connection.send(mailCommand(), commandTimeout);
        List<Future<SmtpReply>> rcpts = message.recipients().stream()
                .map(recipient -> connection.send(rcptCommand(recipient), commandTimeout)).toList();
        Future<SmtpReply> data = connection.send("DATA", commandTimeout);
        List<Future<SmtpReply>> all = new ArrayList<>(rcpts);
        all.add(mail);
        all.add(data);
        return Future.all(all).compose(done -> afterData(mail.result(), rcpts.stream().map(Future::result).toList(), data.result()));
    }

    private Future<Map<String, SmtpReply>> stepByStep() {
        return connection.send(mailCommand(), commandTimeout).compose(mail -> {
            if (!mail.isPositive()) {
                return reset(allGet(mail, message.recipients()));
            }
            return rcptInTurn(0, new ArrayList<>()).compose(rcpts -> {
                if (rcpts.stream().noneMatch(SmtpReply::isPositive)) {
                    return reset(repliesOf(rcpts));
                }
                return connection.send("DATA", commandTimeout).compose(data -> afterData(mail, rcpts, data));
            });
        });
    }

    private Future<List<SmtpReply>> rcptInTurn(int index, List<SmtpReply> replies) {
        if (index == message.recipients().size()) {
            return Future.succeededFuture(replies);
        }
        return connection.send(rcptCommand(message.recipients().get(index)), commandTimeout).compose(reply -> {
            replies.add(reply);
            return rcptInTurn(index + 1, replies);
        });
    }

    private Future<Map<String, SmtpReply>> afterData(SmtpReply mail, List<SmtpReply> rcpts, SmtpReply data) {
        boolean anyAccepted = mail.isPositive() && rcpts.stream().anyMatch(SmtpReply::isPositive);
        Map<String, SmtpReply> replies = mail.isPositive() ? repliesOf(rcpts) : allGet(mail, message.recipients());
        if (data.code() != 354) {
            // DATA refused: it is the verdict for every recipient the server had accepted
            message.recipients().forEach(r -> replies.computeIfPresent(r.address(), (a, reply) -> reply.isPositive() ? data : reply));
            return reset(replies);
        }
        if (!anyAccepted) {
            // RFC 2920 section 3.1: a server that answers 354 with no valid recipient gets an empty message, then RSET
            return connection.sendData(Buffer.buffer(".\r\n"), dataTimeout).compose(ignored -> reset(replies));
        }
        return connection.sendData(message.body(), message.size(), dataTimeout, () -> sentData = true).map(end -> {
            message.recipients().forEach(r -> replies.computeIfPresent(r.address(), (a, reply) -> reply.isPositive() ? end : reply));
            return replies;
        });
    }

    /** After a transaction that did not end with the data, RSET makes the connection reusable (RFC 5321 4.1.1.5). */
    private Future<Map<String, SmtpReply>> reset(Map<String, SmtpReply> replies) {
        return connection.send("RSET", RSET_TIMEOUT).transform(rset -> {
            if (rset.failed() || !rset.result().isPositive()) {
                connection.close();
            }
            return Future.succeededFuture(replies);
        });
    }

    private String mailCommand() {
        StringBuilder line = new StringBuilder("MAIL FROM:<").append(message.sender()).append('>');
        if (server.offers("SIZE")) {
            line.append(" SIZE=").append(message.size());
        }
        if (server.offers("8BITMIME") && message.eightBit()) {
            line.append(" BODY=8BITMIME");
        }
        if (message.smtpUtf8()) {
            line.append(" SMTPUTF8");
        }
        if (server.offers("DSN")) {
            // RFC 3461 section 4: a DSN-capable next hop carries the sender's requests on
            if (message.ret() != null) {
                line.append(" RET=").append(message.ret());
            }
            if (message.envid() != null) {
                line.append(" ENVID=").append(message.envid());
            }
        }
        return line.toString();
    }

    private String rcptCommand(OutboundMessage.Recipient recipient) {
        StringBuilder line = new StringBuilder("RCPT TO:<").append(recipient.address()).append('>');
        if (server.offers("DSN")) {
            if (recipient.dsnNotify() != null) {
                line.append(" NOTIFY=").append(recipient.dsnNotify());
            }
            if (recipient.orcpt() != null) {
                line.append(" ORCPT=").append(recipient.orcpt());
            }
        }
        return line.toString();
    }

    private Map<String, SmtpReply> repliesOf(List<SmtpReply> rcpts) {
        Map<String, SmtpReply> replies = new LinkedHashMap<>();
        for (int i = 0; i < rcpts.size(); i++) {
            replies.put(message.recipients().get(i).address(), rcpts.get(i));
        }
        return replies;
    }

    private static Map<String, SmtpReply> allGet(SmtpReply reply, List<OutboundMessage.Recipient> recipients) {
        Map<String, SmtpReply> replies = new LinkedHashMap<>();
        recipients.forEach(r -> replies.put(r.address(), reply));
        return replies;
    }
}
