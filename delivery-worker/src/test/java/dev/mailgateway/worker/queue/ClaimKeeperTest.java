package dev.mailgateway.worker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;

/** Renewals against a queue whose answers the test gives, one statement at a time. */
class ClaimKeeperTest {

    /** Each renewal asked of the table: the rows, and the answer the test completes. */
    private record Renewal(Set<Long> ids, Promise<Set<Long>> answer) {
    }

    private final List<Renewal> renewals = new ArrayList<>();
    private final ClaimKeeper claims = new ClaimKeeper(new DeliveryQueue(null) {
        @Override
        public Future<Set<Long>> renew(List<ClaimedRecipient> rows, Duration lease) {
            Renewal renewal = new Renewal(rows.stream().map(ClaimedRecipient::id).collect(Collectors.toSet()), Promise.promise());
            renewals.add(renewal);
            return renewal.answer().future();
        }
    }, Duration.ofSeconds(15));

    private final ClaimedRecipient a = row(1);
    private final ClaimedRecipient b = row(2);

    @Test
    void aVerdictWaitsForTheRenewalInFlightAndItsRowsAreRenewedNoMore() {
        Future<Integer> lost = holdBothAndRenew();

        Future<Void> settled = claims.settle(List.of(a));
        assertFalse(settled.isComplete(), "a renewal of the row is in flight: a deferral written now could be overwritten by it");
        renewals.get(0).answer().complete(Set.of(1L, 2L));
        assertTrue(settled.succeeded());
        assertEquals(0, lost.result());

        claims.renewAll();
        assertEquals(Set.of(2L), renewals.get(1).ids(), "the settled row is left to its verdict");
        assertEquals(Set.of(1L, 2L), claims.heldIds(), "and is never claimed here again before its verdict is written");
    }

    @Test
    void aRowTakenOverIsDroppedAndItsJobNotConfirmed() {
        Future<Integer> lost = holdBothAndRenew();
        Future<Boolean> confirmed = claims.confirm(List.of(a));
        renewals.get(0).answer().complete(Set.of(2L));
        assertEquals(1, lost.result());

        // asked while the first renewal was in flight, so it went in the next: the row is no longer held
        assertEquals(1, renewals.size());
        assertFalse(confirmed.result());
        assertEquals(Set.of(2L), claims.heldIds());
    }

    /** Rows 1 and 2 claimed, and a periodic renewal of both in flight. */
    private Future<Integer> holdBothAndRenew() {
        claims.hold(List.of(a, b));
        return claims.renewAll();
    }

    private static ClaimedRecipient row(long id) {
        return new ClaimedRecipient(id, "Q" + id, id, "user" + id + "@relay.test", "relay.test", null, null, 1, "sender@example.test",
                null, null, false, Instant.now(), false, 0, false, null);
    }
}
