package dev.mailgateway.ingress.protocol;

import io.vertx.core.Future;

/**
 * The heap that message bytes may take, shared by every session of the
 * ingress: a session takes its share before it keeps received bytes and gives
 * it back once the message is queued or dropped. While none is left, the
 * session waits (its socket paused, so the client is slowed by TCP), never
 * the heap.
 */
public interface MessageBudget {

    /**
     * Completes once {@code bytes} are taken; fails when they could not be
     * taken within the wait the ingress allows (the message is then refused
     * with 452 4.3.1).
     */
    Future<Void> take(long bytes);

    /** Gives back bytes taken earlier. */
    void giveBack(long bytes);
}
