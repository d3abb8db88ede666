package dev.mailgateway.common.envelope;

import java.security.SecureRandom;

/**
 * Queue ids: 48 bits of milliseconds then 80 random bits in Crockford base32
 * (the ULID layout), 26 characters. Time-ordered, so ids sort by arrival; unique
 * without coordination between ingress replicas. The id is the Kafka key, the
 * {@code 250} reply's "queued as", and the POP3 unique id.
 */
public final class QueueId {

    public static final int LENGTH = 26;
    private static final int TIME_CHARS = 10;
    private static final int RANDOM_BYTES = 10;
    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private QueueId() {
    }

    public static String next() {
        // one call for all 80 bits: each call to the platform's SecureRandom takes its lock and mixes its state
        byte[] bits = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bits);
        return of(System.currentTimeMillis(), bits);
    }

    /** The id of {@code millis} with the first 80 bits of {@code bits} as its random part. */
    static String of(long millis, byte[] bits) {
        char[] id = new char[LENGTH];
        long time = millis;
        for (int i = TIME_CHARS - 1; i >= 0; i--) {
            id[i] = ALPHABET.charAt((int) (time & 31));
            time >>>= 5;
        }
        for (int i = TIME_CHARS; i < LENGTH; i++) {
            // 5 bits at a time, most significant first
            int bit = (i - TIME_CHARS) * 5;
            int high = bits[bit / 8] & 0xff;
            int low = bit / 8 + 1 < bits.length ? bits[bit / 8 + 1] & 0xff : 0;
            id[i] = ALPHABET.charAt((((high << 8) | low) >>> (11 - bit % 8)) & 31);
        }
        return new String(id);
    }

    /**
     * The queue id of a message made from another one, the same every time for
     * the same {@code original} and {@code label}: a bounce's id comes from its
     * message's, so a replayed attempt cannot queue a second bounce. It keeps
     * the original's time part and takes 80 bits of SHA-256 of both as its rest.
     */
    public static String derived(String original, String label) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((original + "\n" + label).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        return of(millisOf(original), digest);
    }

    /** The milliseconds of an id's time part. */
    private static long millisOf(String id) {
        long millis = 0;
        for (int i = 0; i < TIME_CHARS; i++) {
            millis = (millis << 5) | ALPHABET.indexOf(id.charAt(i));
        }
        return millis;
    }

    /** True for a string this class could have made: a guard for ids read from records or URLs. */
    public static boolean isValid(String id) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            if (ALPHABET.indexOf(id.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
