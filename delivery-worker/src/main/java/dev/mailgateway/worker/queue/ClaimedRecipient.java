package dev.mailgateway.worker.queue;

import java.time.Instant;

/** A queue row claimed for one relay attempt, with the message facts the relay and the bounce need. */
public record ClaimedRecipient(long id, String queueId, long bodyId, String recipient, String domain,
        String dsnNotify, String orcpt, int attempts, String sender, String ret, String envid,
        boolean smtpUtf8, Instant receivedAt) {
}
