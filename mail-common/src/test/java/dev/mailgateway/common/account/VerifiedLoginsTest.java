package dev.mailgateway.common.account;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** A password verified lately is known again: only the same password, against the same stored hash, for a while. */
class VerifiedLoginsTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final VerifiedLogins verified = new VerifiedLogins(nanos::get);

    @Test
    void theRightPasswordIsKnownAgainAndNoOtherIs() {
        assertFalse(verified.knows("alice@example.test", "$2a$10$hash", "secret"), "nothing verified yet");
        verified.remember("alice@example.test", "$2a$10$hash", "secret");
        assertTrue(verified.knows("alice@example.test", "$2a$10$hash", "secret"));
        assertFalse(verified.knows("alice@example.test", "$2a$10$hash", "Secret"));
        assertFalse(verified.knows("alice@example.test", "$2a$10$hash", ""));
        assertFalse(verified.knows("bob@example.test", "$2a$10$hash", "secret"), "per account");
    }

    @Test
    void aNewStoredHashMissesAtOnce() {
        verified.remember("alice@example.test", "$2a$10$old", "secret");
        assertFalse(verified.knows("alice@example.test", "$2a$10$new", "secret"), "the password was changed (or set to the same again)");
    }

    @Test
    void itIsForgottenAfterItsTime() {
        verified.remember("alice@example.test", "$2a$10$hash", "secret");
        nanos.addAndGet(VerifiedLogins.TTL.toNanos() - 1);
        assertTrue(verified.knows("alice@example.test", "$2a$10$hash", "secret"));
        nanos.addAndGet(1);
        assertFalse(verified.knows("alice@example.test", "$2a$10$hash", "secret"));
    }

    @Test
    void theLeastRecentlyUsedGoFirstPastTheCapacity() {
        verified.remember("first@example.test", "h", "pw");
        for (int i = 0; i < VerifiedLogins.CAPACITY; i++) {
            verified.remember("user" + i + "@example.test", "h", "pw");
            if (i == VerifiedLogins.CAPACITY / 2) {
                assertTrue(verified.knows("first@example.test", "h", "pw"), "used: it moves to the back");
            }
        }
        assertTrue(verified.knows("first@example.test", "h", "pw"));
        assertFalse(verified.knows("user0@example.test", "h", "pw"), "the oldest unused went");
    }
}
