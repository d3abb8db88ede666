package dev.mailgateway.worker.qmgr;

import java.util.List;

import dev.mailgateway.worker.queue.ClaimedRecipient;

/**
 * One message's recipients at one destination domain: one relay attempt,
 * holding one of the destination's connection slots while it runs. A class,
 * not a record: jobs are told apart by identity, and hashing one would hash
 * its message.
 */
final class RelayJob {

    final String domain;
    final List<ClaimedRecipient> rows;
    /** Past {@code delivery.relay.job-deadline}: no further transaction starts. */
    boolean overdue;

    RelayJob(String domain, List<ClaimedRecipient> rows) {
        this.domain = domain;
        this.rows = List.copyOf(rows);
    }

    /** The rows' message (every row of a job has the same). */
    ClaimedRecipient message() {
        return rows.get(0);
    }

    String queueId() {
        return message().queueId();
    }
}
