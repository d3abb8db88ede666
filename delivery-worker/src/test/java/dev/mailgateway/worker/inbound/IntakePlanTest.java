package dev.mailgateway.worker.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.worker.queue.DeliveryQueue;

/** The rows a group of records writes, decided from what the ledger and the accounts said: no database. */
class IntakePlanTest {

    private static final LocalDomains LOCAL = new LocalDomains(new SmallRyeConfigBuilder()
            .withConverter(Duration.class, 200, new DurationConverter())
            .withDefaultValues(Map.of("mail.hostname", "gateway.test", "mail.domains", "example.test,other.test"))
            .withMapping(MailConfig.class).build().getConfigMapping(MailConfig.class));
    private static final byte[] CONTENT = "Subject: plan\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Map<String, Long> ACCOUNTS = Map.of("alice@example.test", 1L, "postmaster@example.test", 2L);

    private static Envelope envelope(String queueId, Envelope.Recipient... recipients) {
        return new Envelope(queueId, "sender@example.org", Map.of(), List.of(recipients), "192.0.2.1", "client.example",
                Optional.empty(), Instant.EPOCH);
    }

    private static IntakePlan plan(Set<String> handled, Envelope... envelopes) {
        return IntakePlan.of(List.of(envelopes).stream().map(e -> new IntakePlan.Message(e, CONTENT)).toList(), handled, ACCOUNTS, LOCAL);
    }

    @Test
    void aLocalARemoteAndAnUnknownRecipientEachGetTheirRowsAndOneBody() {
        IntakePlan plan = plan(Set.of(), envelope("Q1", Envelope.Recipient.of("Alice@Example.TEST"),
                Envelope.Recipient.of("carol@remote.example"), Envelope.Recipient.of("nobody@example.test")));
        assertEquals(1, plan.bodies().size());
        assertEquals(List.of(new IntakePlan.MailboxRow(1L, "Q1")), plan.mailboxEntries());
        assertEquals(List.of(DeliveryQueue.QUEUED, DeliveryQueue.FAILED), plan.queueRows().stream().map(IntakePlan.QueueRow::state).toList());
        assertEquals(IntakePlan.NO_SUCH_ACCOUNT, plan.queueRows().get(1).error());
        assertEquals(List.of(new IntakePlan.LedgerRow("Q1", "alice@example.test", IntakePlan.Route.LOCAL),
                new IntakePlan.LedgerRow("Q1", "carol@remote.example", IntakePlan.Route.REMOTE),
                new IntakePlan.LedgerRow("Q1", "nobody@example.test", IntakePlan.Route.UNKNOWN_USER)), plan.ledgerRows());
        Intake.Result result = plan.results().get(0);
        assertEquals(List.of("Alice@Example.TEST"), result.delivered());
        assertEquals(1, result.queued());
        assertEquals(List.of("nobody@example.test"), result.unknownUsers());
        assertFalse(result.replay());
    }

    @Test
    void recipientsTheLedgerKnowsAreSkippedAndAllKnownIsAReplayWithNoRows() {
        IntakePlan plan = plan(Set.of(IntakePlan.ledgerKey("Q1", "alice@example.test")), envelope("Q1", Envelope.Recipient.of("alice@example.test")),
                envelope("Q2", Envelope.Recipient.of("alice@example.test"), Envelope.Recipient.of("carol@remote.example")));
        assertTrue(plan.results().get(0).replay());
        assertEquals(List.of("Q2"), plan.bodies().stream().map(m -> m.envelope().queueId()).toList());
        assertEquals(2, plan.ledgerRows().size());
    }

    @Test
    void aRecordTwiceInOneGroupIsStoredOnceAndTheSecondIsAReplay() {
        Envelope twice = envelope("Q1", Envelope.Recipient.of("alice@example.test"));
        IntakePlan plan = plan(Set.of(), twice, twice);
        assertEquals(1, plan.bodies().size());
        assertEquals(1, plan.mailboxEntries().size());
        assertEquals(1, plan.ledgerRows().size());
        assertTrue(plan.results().get(1).replay());
    }

    @Test
    void thePostmasterOfEachDomainIsOneMailboxWithOneCopy() {
        IntakePlan plan = plan(Set.of(), envelope("Q1", Envelope.Recipient.of("postmaster@example.test"), Envelope.Recipient.of("Postmaster@other.test")));
        assertEquals(List.of(new IntakePlan.MailboxRow(2L, "Q1")), plan.mailboxEntries());
        assertEquals(List.of("postmaster@example.test", "Postmaster@other.test"), plan.results().get(0).delivered());
    }

    @Test
    void aSuccessReportIsQueuedForALocalDeliveryButNeverToTheNullSender() {
        Envelope.Recipient notify = new Envelope.Recipient("alice@example.test", Map.of("NOTIFY", "SUCCESS"));
        IntakePlan plan = plan(Set.of(), envelope("Q1", notify));
        assertEquals(List.of(DeliveryQueue.DELIVERED), plan.queueRows().stream().map(IntakePlan.QueueRow::state).toList());
        Envelope bounce = new Envelope("Q2", "", Map.of(), List.of(notify), "192.0.2.1", "client.example", Optional.empty(), Instant.EPOCH);
        assertEquals(List.of(), IntakePlan.of(List.of(new IntakePlan.Message(bounce, CONTENT)), Set.of(), ACCOUNTS, LOCAL).queueRows());
    }

    @Test
    void anAddressTheModelRefusesIsQueuedFailedForItsBounce() {
        String tooLong = "x".repeat(300) + "@remote.example";
        IntakePlan plan = plan(Set.of(), envelope("Q1", Envelope.Recipient.of(tooLong)));
        IntakePlan.QueueRow row = plan.queueRows().get(0);
        assertEquals(DeliveryQueue.FAILED, row.state());
        assertEquals("remote.example", row.domain());
        assertEquals("5.1.3", plan.results().get(0).refused().get(tooLong));
        assertEquals(IntakePlan.Route.REFUSED, plan.ledgerRows().get(0).route());
    }

    @Test
    void theMailboxesToLookUpAndWhetherAMessageIsSigned() {
        Envelope relayed = new Envelope("Q1", "alice@example.test", Map.of(), List.of(Envelope.Recipient.of("carol@remote.example"),
                Envelope.Recipient.of("ALICE@example.test")), "192.0.2.1", "client.example", Optional.of("alice@example.test"), Instant.EPOCH);
        assertEquals(List.of("alice@example.test"), IntakePlan.mailboxes(List.of(relayed), LOCAL));
        assertTrue(IntakePlan.relayed(relayed, LOCAL));
        assertFalse(IntakePlan.relayed(envelope("Q2", Envelope.Recipient.of("carol@remote.example")), LOCAL), "nobody logged in");
    }
}
