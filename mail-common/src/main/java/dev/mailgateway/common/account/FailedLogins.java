package dev.mailgateway.common.account;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.mailgateway.common.server.Peers;

/**
 * Slows password guessing down: each failed login is answered after a delay
 * that doubles with the recent failures of its client address or of the
 * account name tried, whichever has more, up to a ceiling. A client that
 * logs in is forgiven; an account's count only fades with time, so a
 * guesser cannot clear it by logging in to an account of its own. A client
 * is counted by {@link Peers#clientKey}: an IPv6 client by its /64.
 * Memory is bounded: past {@link #MAX_TRACKED} keys, new ones go uncounted
 * until old ones fade. Safe from any thread.
 */
public final class FailedLogins {

    /** Client addresses and account names remembered at most (a few MiB). */
    static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long lastMillis) {
    }

    private final long firstDelayMillis;
    private final long maxDelayMillis;
    private final long forgetAfterMillis;
    private final LongSupplier clockMillis;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();
    private volatile long lastPruneMillis;

    /**
     * @param firstDelay  the delay after a first failure; zero turns delays off
     * @param maxDelay    the ceiling the doubling stops at
     * @param forgetAfter a key without failures for this long starts again from the first delay
     */
    public FailedLogins(Duration firstDelay, Duration maxDelay, Duration forgetAfter, LongSupplier clockMillis) {
        this.firstDelayMillis = firstDelay.toMillis();
        this.maxDelayMillis = Math.max(firstDelayMillis, maxDelay.toMillis());
        this.forgetAfterMillis = forgetAfter.toMillis();
        this.clockMillis = clockMillis;
    }

    /** Counts a failed login of {@code account} from {@code client}; the answer waits the returned milliseconds. */
    public long failed(String client, String account) {
        long now = clockMillis.getAsLong();
        pruneIfFull(now);
        int count = Math.max(count("client " + Peers.clientKey(client), now), count("account " + account.toLowerCase(Locale.ROOT), now));
        if (firstDelayMillis <= 0) {
            return 0;
        }
        // first, 2 x first, 4 x first ... : the shift stops well before it could overflow
        return Math.min(maxDelayMillis, firstDelayMillis << Math.min(count - 1, 20));
    }

    /** A login from {@code client} succeeded: its own failures are forgiven. */
    public void succeeded(String client) {
        failures.remove("client " + Peers.clientKey(client));
    }

    /** Adds a failure to {@code key}; its count, this one included. */
    private int count(String key, long now) {
        if (failures.size() >= MAX_TRACKED && !failures.containsKey(key)) {
            return 1;
        }
        return failures.compute(key, (k, old) -> old == null || now - old.lastMillis() > forgetAfterMillis
                ? new Failures(1, now) : new Failures(old.count() + 1, now)).count();
    }

    /** Drops faded keys when the table is full, at most once a second (the scan is linear). */
    private void pruneIfFull(long now) {
        if (failures.size() >= MAX_TRACKED && now - lastPruneMillis >= 1_000) {
            lastPruneMillis = now;
            failures.values().removeIf(f -> now - f.lastMillis() > forgetAfterMillis);
        }
    }
}
