package dev.mailgateway.ingress.protocol;

import io.vertx.core.Future;

/** A budget for tests that answers at once: room while its capacity lasts, a refusal after; counts what is held. */
final class CountingBudget implements MessageBudget {

    private final long capacity;
    private long taken;

    CountingBudget(long capacity) {
        this.capacity = capacity;
    }

    @Override
    public Future<Void> take(long bytes) {
        if (taken + bytes > capacity) {
            return Future.failedFuture("no room");
        }
        taken += bytes;
        return Future.succeededFuture();
    }

    @Override
    public void giveBack(long bytes) {
        taken -= bytes;
        if (taken < 0) {
            throw new IllegalStateException("more given back than taken");
        }
    }

    long taken() {
        return taken;
    }
}
