package dev.mailgateway.worker.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.remote.RelayClient;
import dev.mailgateway.worker.remote.RelayClient.Contact;
import dev.mailgateway.worker.remote.RelayClient.Delivery;

/** The destination's window and dead-site throttle on virtual time: nanoTime values the test chooses. */
class DestinationQueueTest {

    private static final long SUSPENSION = TimeUnit.MINUTES.toNanos(5);
    private static final Delivery REFUSED_DELIVERY = new Delivery(Map.of("user@dest.test",
            new RelayClient.Outcome(SmtpReply.of(451, "4.4.1", "[192.0.2.1]:25: Connection refused"), "mx.dest.test", false)), Contact.FAILED);

    private final DestinationQueue destination = new DestinationQueue(20, 5, SUSPENSION);
    private long now = 1_000;

    @Test
    void theWindowStartsAtTheInitialConcurrency() {
        addJobs(30);
        assertEquals(5, destination.startable(now).size());
        assertEquals(0, destination.startable(now).size(), "five running, no slot left");
    }

    @Test
    void theWindowGrowsByAboutOneForAWindowOfAnswers() {
        addJobs(30);
        List<RelayJob> running = new ArrayList<>(destination.startable(now));
        int answers = 0;
        while (destination.concurrency() == 5) {
            destination.finished(running.remove(0), delivery(Contact.MADE), now);
            answers++;
            running.addAll(destination.startable(now));
        }
        // 5 + 1/5 + 1/5.2 + ...: 5.93 after five answers, 6.10 after six
        assertEquals(6, answers);
        assertEquals(6, destination.concurrency());
        assertEquals(6, running.size(), "the sixth slot was taken as soon as it opened");
    }

    @Test
    void theWindowNeverPassesTheLimit() {
        DestinationQueue narrow = new DestinationQueue(2, 5, SUSPENSION);
        assertEquals(2, narrow.concurrency(), "the initial window is capped by the limit");
        for (int i = 0; i < 100; i++) {
            RelayJob job = job(i);
            narrow.add(job);
            narrow.startable(now).forEach(started -> narrow.finished(started, delivery(Contact.MADE), now));
        }
        assertEquals(2, narrow.concurrency());
    }

    @Test
    void aFailedCohortMakesTheSiteDeadAndItsJobsAreAnsweredWithoutADial() {
        addJobs(10);
        List<RelayJob> cohort = destination.startable(now);
        for (RelayJob job : cohort.subList(0, 3)) {
            destination.finished(job, REFUSED_DELIVERY, now);
            assertFalse(destination.isDead());
        }
        destination.finished(cohort.get(3), REFUSED_DELIVERY, now);
        assertTrue(destination.isDead(), "four failures in a row, window down to 4");
        assertTrue(destination.isSuspended(now), "its rows are left in the queue");
        assertFalse(destination.isSuspended(now + SUSPENSION), "until the suspension ends");
        assertEquals(0, destination.startable(now).size());
        List<RelayJob> suspended = destination.takeSuspended(now);
        assertEquals(5, suspended.size(), "the ten jobs less the five started");
        assertEquals("451 4.4.1 delivery temporarily suspended: 451 4.4.1 [192.0.2.1]:25: Connection refused",
                destination.suspendedReply().summary());
        // a job started before the site died fails too: the suspension does not grow
        destination.finished(cohort.get(4), REFUSED_DELIVERY, now + SUSPENSION - 1);
        destination.add(job(100));
        assertEquals(1, destination.takeSuspended(now + SUSPENSION - 1).size());
    }

    @Test
    void aDeadSiteIsProbedByOneJobAfterItsSuspension() {
        killSite();
        addJobs(3);
        now += SUSPENSION;
        assertEquals(List.of(), destination.takeSuspended(now), "the suspension is over: jobs wait for the probe");
        List<RelayJob> probe = destination.startable(now);
        assertEquals(1, probe.size());
        assertEquals(0, destination.startable(now).size(), "one probe at a time");

        destination.finished(probe.get(0), REFUSED_DELIVERY, now);
        assertTrue(destination.isDead(), "a failed probe suspends the site again");
        assertEquals(2, destination.takeSuspended(now).size());

        now += SUSPENSION;
        addJobs(8);
        probe = destination.startable(now);
        destination.finished(probe.get(0), delivery(Contact.MADE), now);
        assertFalse(destination.isDead(), "a server answered the probe");
        assertEquals(5, destination.startable(now).size(), "the window starts again at the initial concurrency");
    }

    @Test
    void anOperatorsFlushRevivesADeadSite() {
        killSite();
        addJobs(3);
        destination.revive();
        assertFalse(destination.isDead());
        assertEquals(List.of(), destination.takeSuspended(now));
        assertEquals(3, destination.startable(now).size());
    }

    @Test
    void aJobThatLearntNothingMovesNothing() {
        addJobs(5);
        destination.startable(now).forEach(job -> destination.finished(job, delivery(Contact.NONE), now));
        assertEquals(5, destination.concurrency());
        assertFalse(destination.isDead());
    }

    @Test
    void aDeadSiteIsRememberedForAnIntervalPastItsSuspension() {
        killSite();
        assertFalse(destination.forgettable(now + SUSPENSION), "the next job must probe, not dial a fresh window");
        assertTrue(destination.forgettable(now + 2 * SUSPENSION), "no mail for it for a whole interval more");
        DestinationQueue alive = new DestinationQueue(20, 5, SUSPENSION);
        assertTrue(alive.forgettable(now));
    }

    /** Every recipient's reply from the hosts (or from none), and what the delivery learnt of them. */
    private static Delivery delivery(Contact contact) {
        return new Delivery(Map.of("user@dest.test", new RelayClient.Outcome(SmtpReply.of(250, "2.0.0", "Ok"), "mx.dest.test", true)), contact);
    }

    private void killSite() {
        addJobs(4);
        destination.startable(now).forEach(job -> destination.finished(job, REFUSED_DELIVERY, now));
        assertTrue(destination.isDead());
    }

    private void addJobs(int count) {
        for (int i = 0; i < count; i++) {
            destination.add(job(i));
        }
    }

    private static RelayJob job(long id) {
        return new RelayJob("dest.test", List.of(new ClaimedRecipient(id, "Q" + id, id, "user@dest.test", "dest.test", null, null, 1,
                "sender@example.test", null, null, false, Instant.EPOCH, false, 10, false, null)));
    }
}
