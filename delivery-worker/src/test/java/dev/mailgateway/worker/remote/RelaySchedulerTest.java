package dev.mailgateway.worker.remote;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

class RelaySchedulerTest {

    @Test
    void aFullClaimMayHaveLeftRowsBehind() {
        assertTrue(RelayScheduler.mayBeMoreDue(200, 200, Set.of()));
    }

    @Test
    void aClaimThatLeftOutABusyDomainLeftItsBacklogBehind() {
        // a poll while a domain has a full round of jobs waiting claims nothing for it: the drain must go on as
        // those jobs finish, not stall until the next poll
        assertTrue(RelayScheduler.mayBeMoreDue(0, 180, Set.of("relay.example")));
    }

    @Test
    void aShortClaimOfEveryDomainTookAllThatWasDue() {
        assertFalse(RelayScheduler.mayBeMoreDue(37, 200, Set.of()));
    }
}
