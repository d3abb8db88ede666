package dev.mailgateway.common.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class FailedLoginsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FailedLogins logins = new FailedLogins(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(15), now::get);

    @Test
    void theDelayDoublesPerFailureUpToTheCeiling() {
        assertEquals(1_000, logins.failed("192.0.2.1", "alice@example.test"));
        assertEquals(2_000, logins.failed("192.0.2.1", "alice@example.test"));
        assertEquals(4_000, logins.failed("192.0.2.1", "alice@example.test"));
        assertEquals(8_000, logins.failed("192.0.2.1", "alice@example.test"));
        assertEquals(8_000, logins.failed("192.0.2.1", "alice@example.test"));
    }

    @Test
    void oneClientTryingManyAccountsIsSlowedDown() {
        assertEquals(1_000, logins.failed("192.0.2.1", "a@example.test"));
        assertEquals(2_000, logins.failed("192.0.2.1", "b@example.test"));
        assertEquals(4_000, logins.failed("192.0.2.1", "c@example.test"));
    }

    @Test
    void oneAccountTriedFromManyClientsIsSlowedDown() {
        assertEquals(1_000, logins.failed("192.0.2.1", "alice@example.test"));
        assertEquals(2_000, logins.failed("192.0.2.2", "ALICE@example.test"));
        assertEquals(4_000, logins.failed("192.0.2.3", "alice@example.test"));
    }

    @Test
    void aSuccessForgivesTheClientButNotTheAccount() {
        logins.failed("192.0.2.1", "alice@example.test");
        logins.failed("192.0.2.1", "alice@example.test");
        logins.succeeded("192.0.2.1");
        assertEquals(1_000, logins.failed("192.0.2.1", "bob@example.test"), "the client starts over");
        assertEquals(4_000, logins.failed("192.0.2.9", "alice@example.test"), "alice's failures still count");
    }

    @Test
    void failuresFadeAfterAQuietSpell() {
        logins.failed("192.0.2.1", "alice@example.test");
        logins.failed("192.0.2.1", "alice@example.test");
        now.addAndGet(Duration.ofMinutes(16).toMillis());
        assertEquals(1_000, logins.failed("192.0.2.1", "alice@example.test"));
    }

    @Test
    void zeroTurnsDelaysOff() {
        FailedLogins off = new FailedLogins(Duration.ZERO, Duration.ofSeconds(8), Duration.ofMinutes(15), now::get);
        off.failed("192.0.2.1", "alice@example.test");
        assertEquals(0, off.failed("192.0.2.1", "alice@example.test"));
    }

    @Test
    void memoryStaysBoundedUnderAFloodOfNames() {
        for (int i = 0; i < FailedLogins.MAX_TRACKED; i++) {
            logins.failed("192.0.2.1", "guess" + i + "@example.test");
        }
        // the table is full: a new pair goes uncounted, a known client's count still grows
        assertEquals(8_000, logins.failed("192.0.2.1", "new@example.test"));
        assertEquals(1_000, logins.failed("198.51.100.7", "other@example.test"));
        assertEquals(1_000, logins.failed("198.51.100.7", "other@example.test"), "not remembered while full");
        now.addAndGet(Duration.ofMinutes(16).toMillis());
        assertEquals(1_000, logins.failed("198.51.100.7", "other@example.test"));
        assertEquals(2_000, logins.failed("198.51.100.7", "other@example.test"), "remembered again once faded keys were dropped");
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() {
        assertEquals(1_000, logins.failed("2001:db8:1:2::1", "a@example.test"));
        assertEquals(2_000, logins.failed("2001:db8:1:2::2", "b@example.test"), "another address of the same /64");
        assertEquals(1_000, logins.failed("2001:db8:1:3::1", "c@example.test"), "another /64");
        logins.succeeded("2001:db8:1:2::99");
        assertEquals(1_000, logins.failed("2001:db8:1:2::1", "d@example.test"), "a login from the /64 forgives it");
    }
}
