package dev.mailgateway.common.account;

import io.quarkus.elytron.security.common.BcryptUtil;

/**
 * Password hashing: bcrypt with a random salt, in Modular Crypt Format. Slow
 * on purpose, so callers run it on a worker thread, never on an event loop.
 */
public final class Passwords {

    /** bcrypt cost: 2^10 rounds, about 50-100 ms here; raising it rehashes nothing already stored. */
    static final int COST = 10;

    /** A valid hash of no real password: unknown users cost as much time as known ones. */
    private static final String DECOY = BcryptUtil.bcryptHash("decoy", COST);

    private Passwords() {
    }

    public static String hash(String password) {
        return BcryptUtil.bcryptHash(password, COST);
    }

    /** True when {@code password} matches {@code hash}; a null hash (login disabled) never matches. */
    public static boolean matches(String password, String hash) {
        if (hash == null) {
            BcryptUtil.matches(password, DECOY);
            return false;
        }
        return BcryptUtil.matches(password, hash);
    }
}
