package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HeloNameTest {

    @Test
    void domainsLiteralsAndNearMissesAreTaken() {
        assertTrue(HeloName.isValid("client.example"));
        assertTrue(HeloName.isValid("[192.0.2.1]"));
        assertTrue(HeloName.isValid("[IPv6:2001:db8::1]"));
        assertTrue(HeloName.isValid("192.0.2.1"), "a bare address, as some clients send");
        assertTrue(HeloName.isValid("my_laptop.local"));
        assertTrue(HeloName.isValid("a".repeat(HeloName.MAX_LENGTH)));
    }

    @Test
    void controlCharactersAreNot() {
        assertFalse(HeloName.isValid("a\rX-Injected:\tyes"), "a bare CR, as the line decoder leaves it");
        assertFalse(HeloName.isValid("a\nb"));
        assertFalse(HeloName.isValid("a\tb"));
        assertFalse(HeloName.isValid("a\0b"));
        assertFalse(HeloName.isValid("a\u007fb"), "DEL");
        assertFalse(HeloName.isValid("a\u0085b"), "NEL, a C1 control");
    }

    @Test
    void eightBitTextAndOverLongNamesAreNot() {
        assertFalse(HeloName.isValid("b\u00fccher.example"));
        assertFalse(HeloName.isValid("\u2028"));
        assertFalse(HeloName.isValid("a".repeat(HeloName.MAX_LENGTH + 1)));
    }
}
