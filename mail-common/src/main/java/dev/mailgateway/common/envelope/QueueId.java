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
