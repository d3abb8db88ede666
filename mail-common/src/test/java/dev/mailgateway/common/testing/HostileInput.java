package dev.mailgateway.common.testing;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Inputs for the seeded property tests of the protocol paths: protocol
 * fragments, random single characters and over-long runs, in random order.
 * The same seed always gives the same bytes, so a failure names its case.
 */
public final class HostileInput {

    private HostileInput() {
    }

    /** Runs {@code property} once per seed 0 .. seeds-1; a failure names its seed, so the case can be replayed. */
    public static void forEachSeed(int seeds, Consumer<Random> property) {
        for (long seed = 0; seed < seeds; seed++) {
            try {
                property.accept(new Random(seed));
            } catch (Throwable failure) {
                throw new AssertionError("input of seed " + seed + ": " + failure, failure);
            }
        }
    }

    /**
     * @param fragments  pieces of the protocol, hostile ones included
     * @param maxPieces  at most this many pieces
     * @param maxRun     the longest run of one repeated letter (to pass line limits)
     */
    public static byte[] generate(Random random, String[] fragments, int maxPieces, int maxRun) {
        StringBuilder input = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(maxPieces); i < n; i++) {
            int pick = random.nextInt(20);
            if (pick == 0) {
                input.append("x".repeat(random.nextInt(maxRun)));
            } else if (pick == 1) {
                input.append((char) random.nextInt(256));
            } else {
                input.append(fragments[random.nextInt(fragments.length)]);
            }
        }
        return input.toString().getBytes(StandardCharsets.UTF_8);
    }
}
