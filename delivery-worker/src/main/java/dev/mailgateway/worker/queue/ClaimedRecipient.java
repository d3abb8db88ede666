package dev.mailgateway.worker.queue;

import java.time.Instant;

import io.vertx.core.buffer.Buffer;

/**
 * A queue row claimed for one relay attempt, with the message facts the relay
 * needs; {@code content} comes with the claim for small messages, else null
 * (read when the relay starts, so a batch of big ones never sits in memory).
 */
public record ClaimedRecipient(long id, String queueId, long bodyId, String recipient, String domain,
        String dsnNotify, String orcpt, int attempts, String sender, String ret, String envid,
        boolean smtpUtf8, Instant receivedAt, boolean delayWarned, Buffer content) {
}
