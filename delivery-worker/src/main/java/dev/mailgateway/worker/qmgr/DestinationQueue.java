package dev.mailgateway.worker.qmgr;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.remote.RelayClient;
import dev.mailgateway.worker.remote.RelayClient.Delivery;

/**
 * One destination domain's relay jobs, as Postfix's qmgr keeps a queue per
 * destination: those running, those waiting for a connection slot, and how
 * many may run at once.
 *
 * <p>The concurrency window starts at {@code delivery.relay.initial-destination-concurrency}
 * and moves with each job's feedback, as Postfix's defaults do: up by 1/window
 * when a server answered, down by 1/window when none could be reached, between
 * 1 and {@code delivery.relay.destination-concurrency}. A site whose servers
 * failed a whole cohort of jobs in a row (a window's worth; Postfix's
 * destination_concurrency_failed_cohort_limit of 1) is dead: for the retry's
 * first delay (Postfix's minimal_backoff_time) its rows are not claimed, and
 * the jobs already here are answered with {@link #suspendedReply()} without a
 * dial; then one job at a time probes it until a server answers. Not
 * thread-safe: the queue manager's context owns it.
 */
final class DestinationQueue {

    private final int maxConcurrency;
    private final int initialConcurrency;
    private final long suspensionNanos;
    private final Deque<RelayJob> waiting = new ArrayDeque<>();
    private final Set<RelayJob> running = new HashSet<>();
    private double window;
    private int failuresInRow;
    private boolean dead;
    /** While dead: no job starts before this nanoTime; after it, one probe at a time. */
    private long suspendedUntil;
    private SmtpReply lastFailure;

    DestinationQueue(int maxConcurrency, int initialConcurrency, long suspensionNanos) {
        this.maxConcurrency = maxConcurrency;
        this.initialConcurrency = Math.min(initialConcurrency, maxConcurrency);
        this.suspensionNanos = suspensionNanos;
        this.window = this.initialConcurrency;
    }

    void add(RelayJob job) {
        waiting.add(job);
    }

    /** Jobs that may run now as many as the window allows, taken off the waiting line and counted as running. */
    List<RelayJob> startable(long now) {
        List<RelayJob> start = new ArrayList<>();
        int slots = dead ? (now - suspendedUntil >= 0 ? 1 : 0) : concurrency();
        while (running.size() < slots && !waiting.isEmpty()) {
            RelayJob job = waiting.poll();
            running.add(job);
            start.add(job);
        }
        return start;
    }

    /** Dead, and its suspension runs: no job starts, and its rows are left in the queue. */
    boolean isSuspended(long now) {
        return dead && now - suspendedUntil < 0;
    }

    /** While the site is suspended: the waiting jobs, taken off the line, to be answered without a dial. */
    List<RelayJob> takeSuspended(long now) {
        if (!isSuspended(now)) {
            return List.of();
        }
        List<RelayJob> jobs = new ArrayList<>(waiting);
        waiting.clear();
        return jobs;
    }

    /** A running job ended: its slot is free, and what it learnt of the servers moves the window. */
    void finished(RelayJob job, Delivery delivery, long now) {
        running.remove(job);
        switch (delivery.contact()) {
            case MADE -> {
                failuresInRow = 0;
                if (dead) {
                    dead = false;
                    window = initialConcurrency;
                } else {
                    window = Math.min(maxConcurrency, window + 1 / window);
                }
            }
            case FAILED -> {
                failuresInRow++;
                // every recipient of a delivery that reached no server has the last host's failure
                lastFailure = delivery.outcomes().values().iterator().next().reply();
                window = Math.max(1, window - 1 / window);
                if (dead ? now - suspendedUntil >= 0 : failuresInRow >= concurrency()) {
                    // a failed cohort, or a failed probe: no dial for another interval
                    dead = true;
                    suspendedUntil = now + suspensionNanos;
                }
            }
            case NONE -> {
                // the gate or our own trouble ended it: nothing learnt about the servers
            }
        }
    }

    /** An operator asked for an attempt now (the queue API's flush, Postfix's postqueue -f): a dead site is tried again at once. */
    void revive() {
        dead = false;
        failuresInRow = 0;
        window = Math.max(window, initialConcurrency);
    }

    /** What the jobs of a dead site are told: temporary, so they are tried again after their backoff. */
    SmtpReply suspendedReply() {
        return SmtpReply.of(451, "4.4.1", "delivery temporarily suspended: " + lastFailure.summary());
    }

    /** Jobs that may run at once now. */
    int concurrency() {
        return (int) window;
    }

    boolean isDead() {
        return dead;
    }

    /** A full round of jobs waits already: claiming more rows of the domain would only make them wait. */
    boolean backlogged() {
        return waiting.size() >= concurrency();
    }

    boolean hasRunning() {
        return !running.isEmpty();
    }

    /**
     * Nothing left to remember: no job, and the site alive, or dead with
     * nothing tried for another whole interval past its suspension (a domain
     * no mail goes to any more).
     */
    boolean forgettable(long now) {
        return idle() && (!dead || now - suspendedUntil - suspensionNanos >= 0);
    }

    /** No job running or waiting. */
    boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    void forEachJob(Consumer<RelayJob> action) {
        running.forEach(action);
        waiting.forEach(action);
    }

    /** Takes every job not started yet off the line (a stopping worker gives their rows back). */
    List<RelayJob> takeWaiting() {
        List<RelayJob> jobs = new ArrayList<>(waiting);
        waiting.clear();
        return jobs;
    }
}
