package dev.mailgateway.worker.remote;

import java.util.List;

import io.vertx.core.buffer.Buffer;

/**
 * One message to relay to one destination: the envelope the ingress accepted
 * and the bytes exactly as they came in (ARCHITECTURE decision 9).
 *
 * @param sender   the reverse-path, "" for {@code <>}
 * @param ret      RFC 3461 RET, or null
 * @param envid    RFC 3461 ENVID (xtext, as received), or null
 * @param eightBit any octet above 127: the next hop must offer 8BITMIME (RFC 6152), else 5.6.3
 */
public record OutboundMessage(String queueId, String sender, List<Recipient> recipients, Buffer content,
        boolean smtpUtf8, String ret, String envid, boolean eightBit) {

    public OutboundMessage(String queueId, String sender, List<Recipient> recipients, Buffer content,
            boolean smtpUtf8, String ret, String envid) {
        this(queueId, sender, recipients, content, smtpUtf8, ret, envid, hasEightBitOctets(content));
    }

    /** One recipient with its RFC 3461 parameters as received (NOTIFY list, ORCPT xtext), each possibly null. */
    public record Recipient(String address, String dsnNotify, String orcpt) {
    }

    public OutboundMessage {
        recipients = List.copyOf(recipients);
    }

    private static boolean hasEightBitOctets(Buffer content) {
        // Netty's scan of the backing buffer, not a bounds-checked read per octet
        return content.getByteBuf().forEachByte(b -> b >= 0) >= 0;
    }

    public OutboundMessage onlyTo(List<Recipient> subset) {
        return new OutboundMessage(queueId, sender, subset, content, smtpUtf8, ret, envid, eightBit);
    }
}
