package dev.mailgateway.worker.queue;

import java.time.Instant;

import dev.mailgateway.common.reply.SmtpReply;

/**
 * What one relay attempt decided for one queue row.
 *
 * @param reply         the reply that decided it (the next hop's, or our own for DNS and connection failures)
 * @param remoteMta     the host that gave the reply, or null
 * @param nextAttemptAt for {@link Kind#DEFERRED}: when to try again
 * @param warnDelay     for {@link Kind#DEFERRED}: the sender is to hear that it is still waiting (once)
 */
public record Verdict(ClaimedRecipient row, Kind kind, SmtpReply reply, String status, String remoteMta, Instant nextAttemptAt,
        boolean warnDelay) {

    public enum Kind {
        DELIVERED,
        /**
         * Delivered to a next hop that does not offer DSN, for a sender who asked with
         * NOTIFY=SUCCESS: nobody further on will report it, so we do (RFC 3461 section 6.2, Action: relayed).
         */
        RELAYED,
        DEFERRED,
        FAILED
    }
}
