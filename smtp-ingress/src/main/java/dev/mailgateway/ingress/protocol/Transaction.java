package dev.mailgateway.ingress.protocol;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.reply.SmtpReply;

/**
 * One mail transaction (RFC 5321 section 3.3): the accepted MAIL with its
 * parameters, the accepted recipients, and the message as it arrives, by DATA
 * or by BDAT chunks. It lives from MAIL to the end of data; RSET, HELO/EHLO
 * and STARTTLS drop it (section 4.1.1.5), and the next MAIL starts a new one.
 * Its bytes are kept only with room taken from the {@link MessageBudget}; a
 * message that will be refused anyway (too large, bare line breaks, overlong
 * lines, a loop) is read to its end without keeping them.
 */
final class Transaction {

    /** The line end that DATA pieces come without; read-only, shared. */
    private static final Buffer CRLF = Buffer.buffer("\r\n");
    /** Message bytes taken, no reply yet. */
    static final Future<SmtpReply> NO_REPLY = Future.succeededFuture();

    private final SmtpSession.Settings settings;
    private final MessageBudget budget;
    /** The reverse-path, "" for the null one (bounces). */
    final String reversePath;
    /** MAIL's parameters, normalized; SIZE is not among them. */
    final Map<String, String> mailParams;
    /** SIZE (RFC 1870), 0 when not declared: the recipients' quota checks use it. */
    final long declaredSize;
    /** By mailbox key: a recipient named twice gets one copy. */
    private final Map<String, Envelope.Recipient> recipients = new LinkedHashMap<>();
    /** The transaction is sent with BDAT (RFC 3030): DATA may not follow. */
    private boolean chunking;

    // the message, from 354 or the first BDAT chunk on
    /** The bytes kept so far; null once the message is known to be refused, or handed on. */
    private ReceivedMessage message;
    private long messageSize;
    private MessageInspector inspector;
    /** The budget had no room in time: 452 at the end, unless a permanent refusal applies. */
    private boolean storageRefused;

    Transaction(SmtpSession.Settings settings, MessageBudget budget, String reversePath, Map<String, String> mailParams, long declaredSize) {
        this.settings = settings;
        this.budget = budget;
        this.reversePath = reversePath;
        this.mailParams = Collections.unmodifiableMap(new LinkedHashMap<>(mailParams));
        this.declaredSize = declaredSize;
    }

    boolean names(String mailboxKey) {
        return recipients.containsKey(mailboxKey);
    }

    int recipientCount() {
        return recipients.size();
    }

    void addRecipient(String mailboxKey, Envelope.Recipient recipient) {
        recipients.put(mailboxKey, recipient);
    }

    Collection<Envelope.Recipient> recipients() {
        return recipients.values();
    }

    boolean chunking() {
        return chunking;
    }

    /** The message starts: after 354, or with the first BDAT chunk. */
    void startMessage(boolean byChunks) {
        chunking = byChunks;
        message = new ReceivedMessage();
        messageSize = 0;
        storageRefused = false;
        inspector = new MessageInspector(settings.maxLineLength());
    }

    /**
     * Message bytes, with a CRLF when their line ended, as they will be
     * queued. Kept when there is room in the message's blocks or the budget
     * grants a new block; the future completes, with null, once they are kept
     * or dropped.
     */
    Future<SmtpReply> append(Buffer bytes, boolean lineEnds) {
        inspector.feed(bytes);
        int octets = bytes.length();
        if (lineEnds) {
            inspector.feed(CRLF);
            octets += 2;
        }
        messageSize += octets;
        if (message == null) {
            return NO_REPLY;
        }
        if (messageSize > settings.maxMessageSize() || inspector.faultFound() || inspector.hops() >= settings.maxHops()) {
            dropMessage();
            return NO_REPLY;
        }
        if (message.room() >= octets) {
            keep(bytes, lineEnds);
            return NO_REPLY;
        }
        int block = message.nextBlockSize(octets);
        ReceivedMessage growing = message;
        return budget.take(block).map(taken -> {
            if (message != growing) {
                // the client went away or the transaction ended meanwhile
                budget.giveBack(block);
                return null;
            }
            message.addBlock(block);
            keep(bytes, lineEnds);
            return (SmtpReply) null;
        }).otherwise(noRoom -> {
            if (message == growing) {
                storageRefused = true;
                dropMessage();
            }
            return null;
        });
    }

    private void keep(Buffer bytes, boolean lineEnds) {
        message.append(bytes);
        if (lineEnds) {
            message.append(CRLF);
        }
    }

    /** Why the message just ended is refused, or null: permanent reasons before the temporary one. */
    SmtpReply refusal() {
        if (messageSize > settings.maxMessageSize()) {
            return SmtpReplies.SIZE_EXCEEDED;
        }
        if (inspector.bareLineBreak()) {
            return SmtpReplies.BARE_LINE_BREAK;
        }
        if (inspector.lineTooLong()) {
            return SmtpReplies.TEXT_LINE_TOO_LONG;
        }
        if (inspector.hops() >= settings.maxHops()) {
            return SmtpReplies.TOO_MANY_HOPS;
        }
        return storageRefused ? SmtpReplies.INSUFFICIENT_STORAGE : null;
    }

    /** The whole message, handed on with the room it holds: whoever takes it gives that room back. */
    ReceivedMessage takeMessage() {
        ReceivedMessage taken = message;
        message = null;
        return taken;
    }

    /** Stops keeping the message's bytes and gives their room back. */
    void dropMessage() {
        if (message != null) {
            budget.giveBack(message.allocated());
            message = null;
        }
    }
}
