package dev.mailgateway.worker.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.worker.RemotePeers;
import dev.mailgateway.worker.SkipInboundBacklog;

/** The ledger forgets what is older than its retention, batch after batch, and nothing younger. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class LedgerPrunerTest {

    @Inject
    Pool pool;

    @Inject
    LedgerPruner pruner;

    private void record(String queueId, String recipient, Duration age) {
        pool.preparedQuery("insert into delivery_ledger (queue_id, recipient, route, recorded_at) values ($1, $2, 'local', now() - $3::bigint * interval '1 second')")
                .execute(Tuple.of(queueId, recipient, age.toSeconds())).await().indefinitely();
    }

    private int rows(String queueId) {
        return pool.preparedQuery("select 1 from delivery_ledger where queue_id = $1").execute(Tuple.of(queueId)).await().indefinitely().size();
    }

    @Test
    void rowsOlderThanTheRetentionGoInBatchesAndYoungerOnesStay() {
        String old = QueueId.next();
        String young = QueueId.next();
        for (int i = 0; i < 7; i++) {
            record(old, "r" + i + "@example.test", Duration.ofDays(31));
        }
        record(young, "r@example.test", Duration.ofDays(29));
        Instant cutoff = Instant.now().minus(Duration.ofDays(30));

        // batches of 2: four transactions for the seven, then one that finds none left
        long pruned = pruner.prune(cutoff, 2, Instant.now().plusSeconds(60)).toCompletionStage().toCompletableFuture().join();
        assertTrue(pruned >= 7, "the seven old rows and any older ones of other tests: " + pruned);
        assertEquals(0, rows(old));
        assertEquals(1, rows(young), "younger than the retention");
    }

    @Test
    void aRunPastItsDeadlineStopsAfterOneBatchAndTheNextGoesOn() {
        String old = QueueId.next();
        for (int i = 0; i < 5; i++) {
            record(old, "r" + i + "@example.test", Duration.ofDays(40));
        }
        Instant cutoff = Instant.now().minus(Duration.ofDays(30));
        // a run whose deadline has passed still does one batch, then stops
        assertEquals(2L, pruner.prune(cutoff.minus(Duration.ofDays(5)), 2, Instant.now()).toCompletionStage().toCompletableFuture().join());
        assertEquals(3, rows(old));
        pruner.prune(cutoff, 2, Instant.now().plusSeconds(60)).toCompletionStage().toCompletableFuture().join();
        assertEquals(0, rows(old));
    }
}
