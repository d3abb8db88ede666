package dev.mailgateway.common.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SecretBoxTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String OTHER_KEY = Base64.getEncoder().encodeToString("another key of thirty-two octets".getBytes(StandardCharsets.US_ASCII));

    @Test
    void aSealedSecretOpensUnderItsKeyOnlyAndNeverShowsItsPlaintext() {
        SecretBox box = SecretBox.of(Optional.of(KEY), "test.key").orElseThrow();
        byte[] secret = "a private key".getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = box.seal(secret);
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("private"));
        assertArrayEquals(secret, box.open(sealed).orElseThrow());
        assertFalse(java.util.Arrays.equals(sealed, box.seal(secret)), "a fresh nonce each time");
        assertTrue(SecretBox.of(Optional.of(OTHER_KEY), "test.key").orElseThrow().open(sealed).isEmpty());
        sealed[sealed.length - 1] ^= 1;
        assertTrue(box.open(sealed).isEmpty(), "a changed octet fails GCM's tag");
        assertTrue(box.open(new byte[5]).isEmpty());
    }

    @Test
    void anUnsetKeyIsNoBoxAndAMalformedOneIsRefusedByName() {
        assertTrue(SecretBox.of(Optional.empty(), "test.key").isEmpty());
        assertEquals("test.key must be base64 of 32 bytes",
                assertThrows(IllegalArgumentException.class, () -> SecretBox.of(Optional.of("c2hvcnQ="), "test.key")).getMessage());
        assertEquals("test.key must be base64 of 32 bytes",
                assertThrows(IllegalArgumentException.class, () -> SecretBox.of(Optional.of("not base64!"), "test.key")).getMessage());
    }
}
