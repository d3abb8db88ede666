package dev.mailgateway.common.server;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections, in all and per client address, across every
 * listener and event loop: one client cannot take all the sessions (SMTP,
 * POP3). A client is counted by {@link Peers#clientKey}: an IPv6 client by
 * its /64. Safe from any thread.
 */
public final class ConnectionLimits {

    private final int maxTotal;
    private final int maxPerClient;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perClient = new ConcurrentHashMap<>();

    public ConnectionLimits(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /** Takes a place for a new connection; false when a limit is reached (nothing is taken then). */
    public boolean admit(String client) {
        String key = Peers.clientKey(client);
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return false;
        }
        boolean[] admitted = {true};
        perClient.compute(key, (k, open) -> {
            int now = open == null ? 0 : open;
            if (now >= maxPerClient) {
                admitted[0] = false;
                return now;
            }
            return now + 1;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
        }
        return admitted[0];
    }

    /** Gives back the place of a connection that {@link #admit} took. */
    public void release(String client) {
        total.decrementAndGet();
        perClient.computeIfPresent(Peers.clientKey(client), (k, open) -> open <= 1 ? null : open - 1);
    }

    public int open() {
        return total.get();
    }
}
