package dev.mailgateway.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

class ManualTimersTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final ManualTimers timers = new ManualTimers(vertx);
    private final List<String> fired = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A timer's action that notes its name, the virtual time and whether it ran on {@link #context}. */
    private Runnable note(String name) {
        return () -> fired.add(name + " at " + TimeUnit.NANOSECONDS.toMillis(timers.nanoTime())
                + (Vertx.currentContext() == context ? "" : " off its context"));
    }

    private void onContext(Runnable step) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            step.run();
            done.complete(null);
        });
        done.get(5, TimeUnit.SECONDS);
    }

    @Test
    void dueTimersFireInOrderAtTheirOwnTimeOnTheContextThatSetThem() throws Exception {
        onContext(() -> {
            timers.schedule(300, note("third"));
            timers.schedule(100, note("first"));
            timers.cancel(timers.schedule(150, note("cancelled")));
            timers.schedule(200, () -> {
                note("second").run();
                // as the idle check does when the deadline moved: a timer set by a timer fires in the same advance
                timers.schedule(50, note("set by the second"));
            });
        });
        timers.advance(99);
        assertEquals(List.of(), fired, "nothing is due yet");
        timers.advance(201);
        assertEquals(List.of("first at 100", "second at 200", "set by the second at 250", "third at 300"), fired);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(300), timers.nanoTime());
    }

    /** A connection may set its timer in a task queued behind the one that wrote the reply the test has read. */
    @Test
    void workQueuedBeforeAnAdvanceSetsItsTimersAtTheOldTime() {
        context.runOnContext(v -> context.runOnContext(w -> timers.schedule(100, note("set late"))));
        timers.advance(100);
        assertEquals(List.of("set late at 100"), fired);
    }
}
