package dev.mailgateway.common.account;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Passwords verified lately, so that a client that logs in again (a
 * submission client with a session per message, a POP3 client polling every
 * minute) does not cost another bcrypt, some 100 ms of a core. An entry holds
 * the account's stored hash and an HMAC of the right password under a key
 * made at start and never written anywhere; it answers only while the stored
 * hash is the same (a new password misses at once) and for {@link #TTL}.
 * Wrong passwords are never remembered: guessing still costs a bcrypt each.
 * Like Dovecot's auth cache, it trades a little: a dump of this process's
 * memory would let the remembered passwords be guessed faster than bcrypt
 * allows, for as long as they stay. Bounded to {@link #CAPACITY} accounts,
 * the least recently used go first. Safe from any thread.
 */
final class VerifiedLogins {

    /** How long a verified password is taken on trust. */
    static final Duration TTL = Duration.ofMinutes(5);
    /** Accounts remembered at most (some 200 octets each). */
    static final int CAPACITY = 10_000;

    private record Verified(String storedHash, byte[] digest, long expiresAtNanos) {
    }

    private final SecretKeySpec key;
    private final LongSupplier clockNanos;
    private final Map<String, Verified> byAddress = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
            return size() > CAPACITY;
        }
    };

    VerifiedLogins(LongSupplier clockNanos) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
        this.clockNanos = clockNanos;
    }

    /** Whether {@code password} was verified against this very {@code storedHash} of the account lately. */
    boolean knows(String address, String storedHash, String password) {
        Verified verified;
        synchronized (byAddress) {
            verified = byAddress.get(address);
        }
        return verified != null && verified.storedHash().equals(storedHash)
                && clockNanos.getAsLong() - verified.expiresAtNanos() < 0
                && MessageDigest.isEqual(verified.digest(), digest(password));
    }

    /** Notes that bcrypt found {@code password} right for {@code storedHash}. */
    void remember(String address, String storedHash, String password) {
        Verified verified = new Verified(storedHash, digest(password), clockNanos.getAsLong() + TTL.toNanos());
        synchronized (byAddress) {
            byAddress.put(address, verified);
        }
    }

    private byte[] digest(String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
