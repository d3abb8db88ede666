package dev.mailgateway.worker.qmgr;

import java.time.Duration;
import java.time.Instant;

import dev.mailgateway.worker.DeliveryConfig;

/**
 * When a deferred recipient is tried again (ARCHITECTURE decision 5): the
 * first delay after the first failed attempt, doubling with each further one
 * up to the largest delay, as Postfix's qmgr does; never past the message's
 * lifetime, so the last attempt falls on its expiry.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final Duration lifetime;

    Backoff(DeliveryConfig.Retry retry) {
        this(retry.initial(), retry.max(), retry.lifetime());
    }

    Backoff(Duration initial, Duration max, Duration lifetime) {
        this.initial = initial;
        this.max = max;
        this.lifetime = lifetime;
    }

    /** The delay after {@code attempts} failed attempts (1 for the first). */
    Duration delayAfter(int attempts) {
        Duration delay = initial;
        for (int i = 1; i < attempts && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** True when a message received at {@code receivedAt} may no longer be deferred at {@code now}. */
    boolean expired(Instant receivedAt, Instant now) {
        return !now.isBefore(expiry(receivedAt));
    }

    /** When a message received at {@code receivedAt} stops being retried. */
    Instant expiry(Instant receivedAt) {
        return receivedAt.plus(lifetime);
    }

    /** The next attempt after {@code attempts} failures, at the latest on the message's expiry. */
    Instant nextAttempt(int attempts, Instant receivedAt, Instant now) {
        Instant next = now.plus(delayAfter(attempts));
        Instant expiry = expiry(receivedAt);
        return next.isAfter(expiry) ? expiry : next;
    }
}
