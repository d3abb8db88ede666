package dev.mailgateway.common.server;

/**
 * The clock and the timers a connection's timeouts run on: real time in
 * production ({@link VertxTimers}), virtual time in tests, so that a test of a
 * timeout need not wait for it.
 */
public interface Timers {

    /** Now, in nanoseconds from an arbitrary origin: only differences mean anything, as with {@link System#nanoTime()}. */
    long nanoTime();

    /** Runs {@code action} once, {@code delayMillis} from now, on the calling Vert.x context; the id cancels it. */
    long schedule(long delayMillis, Runnable action);

    /** Stops a timer that has not fired; an id that has fired or was cancelled already is ignored. */
    void cancel(long timerId);
}
