package dev.mailgateway.common.server;

import io.vertx.core.Vertx;

/** Real time: {@link System#nanoTime()}, and Vert.x timers, which fire on the context that set them. */
public final class VertxTimers implements Timers {

    private final Vertx vertx;

    public VertxTimers(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long schedule(long delayMillis, Runnable action) {
        return vertx.setTimer(delayMillis, id -> action.run());
    }

    @Override
    public void cancel(long timerId) {
        vertx.cancelTimer(timerId);
    }
}
