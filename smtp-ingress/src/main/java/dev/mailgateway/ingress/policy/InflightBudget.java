package dev.mailgateway.ingress.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.runtime.Startup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import dev.mailgateway.common.server.Timers;
import dev.mailgateway.common.server.VertxTimers;

import dev.mailgateway.ingress.IngressConfig;
import dev.mailgateway.ingress.protocol.MessageBudget;

/**
 * {@code smtp.max-inflight-bytes}: the heap all sessions' message bytes may
 * take together, from the first octet of DATA or BDAT until Kafka has
 * acknowledged the record (Postfix writes a message to its queue file as it
 * arrives, so its memory per session is constant; ours is in the heap until
 * the broker has it, so it is bounded here). Sessions that find none left
 * wait in arrival order, paused; a wait longer than {@code smtp.inflight-wait}
 * fails, and that session's message is refused with 452 4.3.1 and gives back
 * what it held. Safe from any thread; a waiter hears back on its own context.
 */
@ApplicationScoped
// made at start-up, so a budget too small for the largest message fails the start rather than the first session
@Startup
public class InflightBudget implements MessageBudget {

    /** The share of the largest heap that message bytes get unless configured: the producer's copies take as much again. */
    static final int HEAP_SHARE_DIVISOR = 5;

    private final Vertx vertx;
    private final Timers timers;
    private final long capacity;
    private final long waitMillis;
    private long available;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    private static final class Waiter {
        final long bytes;
        final Context context;
        final Promise<Void> promise = Promise.promise();
        long timer = -1;
        boolean settled;

        Waiter(long bytes, Context context) {
            this.bytes = bytes;
            this.context = context;
        }
    }

    @Inject
    public InflightBudget(Vertx vertx, IngressConfig config) {
        this(vertx, new VertxTimers(vertx), capacity(config), config.inflightWait().toMillis());
        long needed = config.maxMessageSize() + 2L * 1024 * 1024;
        if (capacity < needed) {
            throw new IllegalStateException("smtp.max-inflight-bytes is " + capacity + ": it must hold one message of smtp.max-message-size ("
                    + config.maxMessageSize() + ") and 2 MiB of blocks; set it, or give the JVM a larger heap");
        }
    }

    /** A budget of {@code capacity} octets whose waits last up to {@code waitMillis}, timed by {@code timers}. */
    public InflightBudget(Vertx vertx, Timers timers, long capacity, long waitMillis) {
        this.vertx = vertx;
        this.timers = timers;
        this.capacity = capacity;
        this.available = capacity;
        this.waitMillis = waitMillis;
    }

    /** The configured budget, or a share of the heap the JVM may grow to. */
    public static long capacity(IngressConfig config) {
        return config.maxInflightBytes().orElse(Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR);
    }

    @Override
    public Future<Void> take(long bytes) {
        Waiter waiter;
        synchronized (this) {
            if (waiters.isEmpty() && available >= bytes) {
                available -= bytes;
                return Future.succeededFuture();
            }
            if (bytes > capacity) {
                return Future.failedFuture(new IllegalArgumentException(bytes + " octets exceed the whole budget"));
            }
            waiter = new Waiter(bytes, vertx.getOrCreateContext());
            waiters.add(waiter);
        }
        long timer = timers.schedule(waitMillis, () -> expire(waiter));
        synchronized (this) {
            if (waiter.settled) {
                timers.cancel(timer);
            } else {
                waiter.timer = timer;
            }
        }
        return waiter.promise.future();
    }

    @Override
    public void giveBack(long bytes) {
        List<Waiter> granted;
        synchronized (this) {
            available += bytes;
            granted = grantWaiters();
        }
        granted.forEach(this::settleGranted);
    }

    private void expire(Waiter waiter) {
        List<Waiter> granted;
        synchronized (this) {
            if (waiter.settled) {
                return;
            }
            waiter.settled = true;
            waiters.remove(waiter);
            // it may have held up smaller requests behind it
            granted = grantWaiters();
        }
        granted.forEach(this::settleGranted);
        waiter.context.runOnContext(v -> waiter.promise.fail(new IllegalStateException(
                "no room for " + waiter.bytes + " octets of message data within " + waitMillis + " ms")));
    }

    /** First come, first served: a large request is not overtaken for ever by small ones. Called holding the lock. */
    private List<Waiter> grantWaiters() {
        List<Waiter> granted = new ArrayList<>();
        while (!waiters.isEmpty() && waiters.peek().bytes <= available) {
            Waiter waiter = waiters.poll();
            available -= waiter.bytes;
            waiter.settled = true;
            granted.add(waiter);
        }
        return granted;
    }

    private void settleGranted(Waiter waiter) {
        synchronized (this) {
            if (waiter.timer >= 0) {
                timers.cancel(waiter.timer);
            }
        }
        waiter.context.runOnContext(v -> waiter.promise.complete());
    }

    /** Bytes taken now. */
    public synchronized long inUse() {
        return capacity - available;
    }

    /** Sessions waiting for bytes now. */
    public synchronized int waiting() {
        return waiters.size();
    }
}
