package dev.mailgateway.pop3.apop;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.mailgateway.pop3.Pop3Config;

/**
 * APOP secrets (RFC 1939 section 7) must be recoverable to compute the digest,
 * so they are stored encrypted, never as plaintext: AES-256-GCM with the key
 * of {@code pop3.apop.key}, a random 96-bit nonce stored before the ciphertext.
 * GCM's tag makes a secret sealed under another key fail to open, not turn into garbage.
 */
@ApplicationScoped
public class ApopSecrets {

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final Optional<SecretKeySpec> key;
    private final SecureRandom random = new SecureRandom();

    @Inject
    public ApopSecrets(Pop3Config config) {
        this(config.apop().key());
    }

    /** @param base64Key the {@code pop3.apop.key} value; empty: APOP is off */
    public ApopSecrets(Optional<String> base64Key) {
        this.key = base64Key.map(encoded -> {
            byte[] bytes = Base64.getDecoder().decode(encoded.trim());
            if (bytes.length != KEY_BYTES) {
                throw new IllegalArgumentException("pop3.apop.key must be base64 of " + KEY_BYTES + " bytes");
            }
            return new SecretKeySpec(bytes, "AES");
        });
    }

    public boolean enabled() {
        return key.isPresent();
    }

    public byte[] encrypt(String secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, nonce).doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] stored = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, stored, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
            return stored;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt an APOP secret", e);
        }
    }

    /** The secret {@link #encrypt} sealed; empty when APOP is off or it was sealed under another key. */
    public Optional<String> decrypt(byte[] stored) {
        if (key.isEmpty() || stored.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            byte[] plain = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(stored, NONCE_BYTES)).doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
            return Optional.of(new String(plain, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            // the key was changed since: the account needs its APOP secret set again
            return Optional.empty();
        }
    }

    private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key.orElseThrow(), new GCMParameterSpec(TAG_BITS, nonce));
        return cipher;
    }
}
