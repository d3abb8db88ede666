package dev.mailgateway.common.testing;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.mailgateway.common.server.Timers;

/**
 * Virtual time for connection tests: the clock stands still and no timer
 * fires until the test calls {@link #advance}. A test of a timeout so takes
 * as long as its transcript, not as long as the timeout.
 */
public final class ManualTimers implements Timers {

    /**
     * How long {@link #advance} waits for an event loop to run a step: far
     * more than a step takes, so that a stuck loop fails the test, not hangs it.
     */
    private static final long STEP_TIMEOUT_SECONDS = 10;
    /** Rounds of "anything queued?" per event loop before {@link #advance} gives up: a loop that always has work fails the test. */
    private static final int MAX_SETTLE_ROUNDS = 10_000;

    private record Pending(long id, long firesAt, Context context, Runnable action) {
    }

    private final Vertx vertx;
    private final Map<Long, Pending> pending = new HashMap<>();
    private long now;
    private long lastId;

    /** @param vertx the Vert.x of the connections under test, whose event loops {@link #advance} lets finish first */
    public ManualTimers(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized long schedule(long delayMillis, Runnable action) {
        Context context = Vertx.currentContext();
        if (context == null) {
            throw new IllegalStateException("a timer fires on the context that sets it: set it on one");
        }
        long id = ++lastId;
        pending.put(id, new Pending(id, now + TimeUnit.MILLISECONDS.toNanos(delayMillis), context, action));
        return id;
    }

    @Override
    public synchronized void cancel(long timerId) {
        pending.remove(timerId);
    }

    /**
     * Lets {@code millis} pass. The event loops first finish what they have
     * queued: a connection may set its idle timer in a task after the one that
     * wrote the reply the test has read, and that timer belongs to the old
     * time. Then each timer due by the new time fires at its own time, in
     * order, on the context that set it (timers set by those too, when due),
     * and the loops settle again after each. Blocks until done: call it from
     * the test's thread, never from an event loop.
     */
    public void advance(long millis) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("advance waits for the event loops: call it from the test's thread");
        }
        long target;
        synchronized (this) {
            target = now + TimeUnit.MILLISECONDS.toNanos(millis);
        }
        settle();
        for (Pending due = takeDue(target); due != null; due = takeDue(target)) {
            Runnable action = due.action();
            CompletableFuture<Void> fired = new CompletableFuture<>();
            due.context().runOnContext(v -> {
                try {
                    action.run();
                    fired.complete(null);
                } catch (RuntimeException | Error e) {
                    fired.completeExceptionally(e);
                }
            });
            await(fired);
            settle();
        }
        synchronized (this) {
            now = target;
        }
    }

    /** Removes the first timer due by {@code target} and moves the clock to when it fires; null when none is due. */
    private synchronized Pending takeDue(long target) {
        Pending first = pending.values().stream()
                .filter(timer -> timer.firesAt() <= target)
                .min(Comparator.comparingLong(Pending::firesAt).thenComparingLong(Pending::id))
                .orElse(null);
        if (first != null) {
            pending.remove(first.id());
            now = first.firesAt();
        }
        return first;
    }

    /**
     * Waits until each event loop has nothing queued. Asked on the loop
     * itself, so that everything queued before the question has run; a task
     * queued by such a task shows as pending and is waited for in turn.
     */
    private void settle() {
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            int asked = 0;
            while (!await(loop.submit(() -> ((SingleThreadEventExecutor) loop).pendingTasks() == 0))) {
                // what ran before the question queued more: ask again, behind it
                if (++asked == MAX_SETTLE_ROUNDS) {
                    throw new IllegalStateException("an event loop still had work queued after " + MAX_SETTLE_ROUNDS + " rounds: a busy loop?");
                }
            }
        }
    }

    private static <T> T await(Future<T> step) {
        try {
            return step.get(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed on its event loop", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("an event loop did not answer within " + STEP_TIMEOUT_SECONDS + " s", e);
        }
    }
}
