package dev.mailgateway.worker.qmgr;

import java.time.Duration;
import java.time.Instant;

import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.DeliveryConfig;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.queue.Verdict;
import dev.mailgateway.worker.remote.RelayClient;

/**
 * What a relay outcome means for a queue row (RFC 5321 section 4.5.4.1):
 * 2xx delivered (relayed, when the sender asked for a success report and the
 * next hop will not send one), 5xx failed, 4xx deferred by the {@link Backoff}
 * until the message's lifetime is over (then failed with 4.4.7), with one
 * delay warning once the message has waited {@code delivery.delay-warning}.
 */
final class RetryPolicy {

    private final Backoff backoff;
    /** Null: no delay warnings. */
    private final Duration delayWarning;

    RetryPolicy(DeliveryConfig config) {
        this.backoff = new Backoff(config.retry());
        this.delayWarning = config.delayWarning().orElse(null);
    }

    Verdict judge(ClaimedRecipient row, RelayClient.Outcome outcome, Instant now) {
        SmtpReply reply = outcome.reply();
        if (reply.isPositive()) {
            boolean reportRelay = !outcome.dsnOffered() && !row.sender().isEmpty() && Bouncer.wantsSuccessReport(row.dsnNotify());
            return new Verdict(row, reportRelay ? Verdict.Kind.RELAYED : Verdict.Kind.DELIVERED, reply, status(reply, "2.0.0"),
                    outcome.remoteMta(), null, false);
        }
        if (reply.isPermanent()) {
            return new Verdict(row, Verdict.Kind.FAILED, reply, status(reply, "5.0.0"), outcome.remoteMta(), null, false);
        }
        if (backoff.expired(row.receivedAt(), now)) {
            return new Verdict(row, Verdict.Kind.FAILED, reply, "4.4.7", outcome.remoteMta(), null, false);
        }
        boolean warnDelay = delayWarning != null && !row.delayWarned() && !row.sender().isEmpty()
                && !now.isBefore(row.receivedAt().plus(delayWarning)) && Bouncer.wantsDelayReport(row.dsnNotify());
        return new Verdict(row, Verdict.Kind.DEFERRED, reply, status(reply, "4.0.0"), outcome.remoteMta(),
                backoff.nextAttempt(row.attempts(), row.receivedAt(), now), warnDelay);
    }

    /** Until when a deferred row is retried: what a delay warning tells its sender. */
    Instant retriedUntil(ClaimedRecipient row) {
        return backoff.expiry(row.receivedAt());
    }

    private static String status(SmtpReply reply, String fallback) {
        return reply.enhanced() != null ? reply.enhanced() : fallback;
    }
}
