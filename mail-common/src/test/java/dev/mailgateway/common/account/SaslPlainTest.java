package dev.mailgateway.common.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class SaslPlainTest {

    @Test
    void theAuthcidLogsInWithTheAuthzidNamingItOrAbsent() {
        assertEquals(Optional.of(new SaslPlain.Identity("alice@example.test", "pass word")), SaslPlain.identity("\0alice@example.test\0pass word"));
        assertEquals(Optional.of(new SaslPlain.Identity("alice@example.test", "pw")), SaslPlain.identity("ALICE@example.test\0alice@example.test\0pw"));
        assertEquals(Optional.of(new SaslPlain.Identity("j\u00f6rg@example.test", "pw")), SaslPlain.identity("\0j\u00f6rg@example.test\0pw"));
    }

    @Test
    void malformedMessagesAndOtherAuthzidsAreNoLogin() {
        assertTrue(SaslPlain.identity("alice@example.test\0pw").isEmpty());
        assertTrue(SaslPlain.identity("\0\0pw").isEmpty(), "no authcid");
        assertTrue(SaslPlain.identity("\0a\0b\0c").isEmpty());
        assertTrue(SaslPlain.identity("bob@example.test\0alice@example.test\0pw").isEmpty(), "acting for another");
    }

    @Test
    void identitiesWithControlCharactersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("\0alice@example.test\r\nX-Injected: yes\0pw"));
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("alice\r@example.test\0alice@example.test\0pw"), "in the authzid");
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("\0alice\t@example.test\0pw"));
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("\0alice\u0085@example.test\0pw"), "a C1 control");
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("\0alice\u007f\0pw"), "DEL");
    }

    @Test
    void identitiesAreAtMost255Octets() {
        assertEquals("a".repeat(255), SaslPlain.identity("\0" + "a".repeat(255) + "\0pw").orElseThrow().user());
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("\0" + "a".repeat(256) + "\0pw"));
        assertThrows(IllegalArgumentException.class, () -> SaslPlain.identity("\0" + "\u00e9".repeat(128) + "\0pw"), "256 octets in UTF-8");
    }

    @Test
    void aPasswordMayHoldAnythingButNul() {
        assertEquals("p\r\n\tw\u0001", SaslPlain.identity("\0alice@example.test\0p\r\n\tw\u0001").orElseThrow().password());
    }
}
