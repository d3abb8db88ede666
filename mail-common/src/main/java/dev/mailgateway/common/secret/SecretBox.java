package dev.mailgateway.common.secret;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets the gateway must be able to read back (APOP secrets, DKIM private keys) are stored sealed,
 * never as plaintext: AES-256-GCM under an operator's key, a random 96-bit nonce stored before the
 * ciphertext. GCM's tag makes a secret sealed under another key fail to open, not turn into garbage.
 */
public final class SecretBox {

    /** AES-256: the key setting is base64 of this many octets ({@code head -c 32 /dev/urandom | base64}). */
    public static final int KEY_BYTES = 32;
    /** GCM's recommended nonce length (NIST SP 800-38D section 8.2). */
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private SecretBox(SecretKeySpec key) {
        this.key = key;
    }

    /**
     * The box of a key setting; empty when the setting is unset.
     *
     * @param setting the setting's name, for the error a malformed value gets
     */
    public static Optional<SecretBox> of(Optional<String> base64Key, String setting) {
        return base64Key.map(encoded -> {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(encoded.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + " must be base64 of " + KEY_BYTES + " bytes");
            }
            if (bytes.length != KEY_BYTES) {
                throw new IllegalArgumentException(setting + " must be base64 of " + KEY_BYTES + " bytes");
            }
            return new SecretBox(new SecretKeySpec(bytes, "AES"));
        });
    }

    public byte[] seal(byte[] secret) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            byte[] sealed = cipher(Cipher.ENCRYPT_MODE, nonce).doFinal(secret);
            byte[] stored = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
            return stored;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a secret", e);
        }
    }

    /** What {@link #seal} sealed; empty when it was sealed under another key (the key was changed since). */
    public Optional<byte[]> open(byte[] stored) {
        if (stored.length <= NONCE_BYTES) {
            return Optional.empty();
        }
        try {
            return Optional.of(cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(stored, NONCE_BYTES))
                    .doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES));
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private Cipher cipher(int mode, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        return cipher;
    }
}
