package dev.mailgateway.worker.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class BackoffTest {

    // Postfix's defaults: 5 minutes doubling to 67 minutes (4000 s), five days in all
    private final Backoff backoff = new Backoff(Duration.ofMinutes(5), Duration.ofSeconds(4000), Duration.ofDays(5));

    @Test
    void theDelayDoublesUpToTheLargest() {
        assertEquals(Duration.ofMinutes(5), backoff.delayAfter(1));
        assertEquals(Duration.ofMinutes(10), backoff.delayAfter(2));
        assertEquals(Duration.ofMinutes(20), backoff.delayAfter(3));
        assertEquals(Duration.ofMinutes(40), backoff.delayAfter(4));
        assertEquals(Duration.ofSeconds(4000), backoff.delayAfter(5));
        assertEquals(Duration.ofSeconds(4000), backoff.delayAfter(500));
    }

    @Test
    void theLastAttemptFallsOnTheExpiry() {
        Instant received = Instant.parse("2026-11-01T00:00:00Z");
        Instant almostExpired = received.plus(Duration.ofDays(5)).minusSeconds(60);
        assertEquals(received.plus(Duration.ofDays(5)), backoff.nextAttempt(40, received, almostExpired));
        assertEquals(received.plusSeconds(600), backoff.nextAttempt(1, received, received.plusSeconds(300)));
        assertFalse(backoff.expired(received, almostExpired));
        assertTrue(backoff.expired(received, received.plus(Duration.ofDays(5))));
    }
}
