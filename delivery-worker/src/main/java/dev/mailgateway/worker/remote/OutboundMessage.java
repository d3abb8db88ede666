package dev.mailgateway.worker.remote;

import java.util.List;

import io.vertx.core.Future;

import dev.mailgateway.common.store.MessageSource;

/**
 * One message to relay to one destination: the envelope the ingress accepted
 * and the bytes exactly as they came in (ARCHITECTURE decision 9), read from
 * {@code body} a chunk at a time as they are sent.
 *
 * @param sender   the reverse-path, "" for {@code <>}
 * @param size     the message's octets
 * @param ret      RFC 3461 RET, or null
 * @param envid    RFC 3461 ENVID (xtext, as received), or null
 * @param eightBit any octet above 127: the next hop must offer 8BITMIME (RFC 6152), else 5.6.3
 */
public record OutboundMessage(String queueId, String sender, List<Recipient> recipients, MessageSource body, long size,
        boolean eightBit, boolean smtpUtf8, String ret, String envid) {

    /** One recipient with its RFC 3461 parameters as received (NOTIFY list, ORCPT xtext), each possibly null. */
    public record Recipient(String address, String dsnNotify, String orcpt) {
    }

    public OutboundMessage {
        recipients = List.copyOf(recipients);
    }

    /**
     * Whether a body has an octet above 127, read through a chunk at a time: for a body whose flag was not
     * stored (one stored before the flag existed), before its first transaction.
     */
    public static Future<Boolean> hasEightBitOctets(MessageSource body, long size) {
        return scan(body, size, 0);
    }

    // Vert.x 4's Buffer -> ByteBuf bridge is deprecated for Vert.x 5: Netty's scan of the backing buffer, not a bounds-checked read per octet
    @SuppressWarnings("deprecation")
    private static Future<Boolean> scan(MessageSource body, long size, long offset) {
        if (offset >= size) {
            return Future.succeededFuture(false);
        }
        return body.read(offset, (int) Math.min(MessageSource.CHUNK, size - offset)).compose(chunk -> {
            if (chunk.getByteBuf().forEachByte(octet -> octet >= 0) >= 0) {
                return Future.succeededFuture(true);
            }
            return chunk.length() == 0 ? Future.succeededFuture(false) : scan(body, size, offset + chunk.length());
        });
    }

    public OutboundMessage onlyTo(List<Recipient> subset) {
        return new OutboundMessage(queueId, sender, subset, body, size, eightBit, smtpUtf8, ret, envid);
    }
}
