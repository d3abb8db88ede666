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
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private QueueId() {
    }

    public static String next() {
        return of(System.currentTimeMillis(), RANDOM);
    }

    static String of(long millis, java.util.Random random) {
        char[] id = new char[LENGTH];
        long time = millis;
        for (int i = 9; i >= 0; i--) {
            id[i] = ALPHABET[(int) (time & 31)];
            time >>>= 5;
        }
        for (int i = 10; i < LENGTH; i++) {
            id[i] = ALPHABET[random.nextInt(32)];
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
        char[] id = original.substring(0, 10).toCharArray();
        StringBuilder out = new StringBuilder(LENGTH).append(id);
        for (int i = 0; i < LENGTH - 10; i++) {
            // 5 bits at a time from the digest's first 80 bits
            int bit = i * 5;
            int word = ((digest[bit / 8] & 0xff) << 8) | (digest[bit / 8 + 1] & 0xff);
            out.append(ALPHABET[(word >>> (11 - bit % 8)) & 31]);
        }
        return out.toString();
    }

    /** True for a string this class could have made: a guard for ids read from records or URLs. */
    public static boolean isValid(String id) {
        if (id == null || id.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            if (new String(ALPHABET).indexOf(id.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }
}
