package dev.mailgateway.worker.queue;

import java.time.Instant;

import io.vertx.core.buffer.Buffer;

/**
 * A queue row claimed for one relay attempt, with the message facts the relay
 * needs; {@code content} comes with the claim for small messages, else null
 * (streamed from the store as the relay sends it, so big ones never sit whole in memory).
 *
 * @param sizeBytes the message's octets, for SIZE (RFC 1870)
 * @param eightBit  any octet above 127 (RFC 6152); null when not known (a body stored before the column)
 */
public record ClaimedRecipient(long id, String queueId, long bodyId, String recipient, String domain,
        String dsnNotify, String orcpt, int attempts, String sender, String ret, String envid,
        boolean smtpUtf8, Instant receivedAt, boolean delayWarned, long sizeBytes, Boolean eightBit, Buffer content) {
}
