package dev.mailgateway.ingress.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import dev.mailgateway.common.testing.ManualTimers;

/** The budget's waits on virtual time: {@code timers.advance(0)} lets queued requests arrive, in order, and nothing expire. */
class InflightBudgetTest {

    private final Vertx vertx = Vertx.vertx();
    private final ManualTimers timers = new ManualTimers(vertx);

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** Takes on an event loop, as sessions do; the future as a CompletableFuture to wait on. */
    private CompletableFuture<Void> take(InflightBudget budget, long bytes) {
        CompletableFuture<Void> taken = new CompletableFuture<>();
        vertx.runOnContext(v -> budget.take(bytes).onComplete(r -> {
            if (r.succeeded()) {
                taken.complete(null);
            } else {
                taken.completeExceptionally(r.cause());
            }
        }));
        return taken;
    }

    @Test
    void roomIsGrantedAtOnceWhileItLastsThenInArrivalOrderAsItComesBack() throws Exception {
        InflightBudget budget = new InflightBudget(vertx, timers, 100, 10_000);
        take(budget, 60).get(5, TimeUnit.SECONDS);
        CompletableFuture<Void> large = take(budget, 50);
        timers.advance(0);
        CompletableFuture<Void> small = take(budget, 10);
        timers.advance(0);
        assertFalse(large.isDone(), "no room for 50 of 100 with 60 taken");
        assertFalse(small.isDone(), "40 are free, but the larger request came first");
        assertEquals(2, budget.waiting());
        budget.giveBack(60);
        large.get(5, TimeUnit.SECONDS);
        small.get(5, TimeUnit.SECONDS);
        assertEquals(60, budget.inUse());
        assertEquals(0, budget.waiting());
    }

    @Test
    void aWaitThatLastsTooLongFailsAndLetsThoseBehindItThrough() throws Exception {
        InflightBudget budget = new InflightBudget(vertx, timers, 100, 200);
        take(budget, 80).get(5, TimeUnit.SECONDS);
        CompletableFuture<Void> large = take(budget, 50);
        timers.advance(0);
        CompletableFuture<Void> small = take(budget, 20);
        timers.advance(199);
        assertFalse(large.isDone(), "still waiting 1 ms before its wait ends");
        timers.advance(1);
        assertTrue(large.handle((ok, failure) -> failure != null).get(5, TimeUnit.SECONDS), "refused after the wait");
        small.get(5, TimeUnit.SECONDS);
        assertEquals(100, budget.inUse(), "nothing held for the refused request");
    }

    @Test
    void moreThanTheWholeBudgetIsRefusedAtOnce() {
        InflightBudget budget = new InflightBudget(vertx, timers, 100, 60_000);
        Future<Void> taken = budget.take(101);
        assertTrue(taken.failed());
        assertEquals(0, budget.inUse());
    }
}
