package dev.mailgateway.worker.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.common.envelope.MalformedEnvelopeException;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.events.DeliveryEvent;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.qmgr.QueueManager;

/**
 * Consumes mail.inbound a poll at a time: the records of a poll are stored by
 * {@link Intake} in a few transactions (up to {@link #RECORDS_PER_TRANSACTION}
 * records and {@link #BYTES_PER_TRANSACTION} octets each), one after the
 * other in the poll's order, then acknowledged together (their offsets
 * committed). Under load one commit serves many records; a quiet queue gives
 * polls of one record, stored at once. A poll's partitions share its
 * transactions: stored a transaction per partition, a poll of 18 records over
 * 12 partitions took 10 commits, not one. The worker has one consumer, so the
 * messages it holds are bounded by one consumer's fetches
 * (application.properties). A database failure is retried with backoff until
 * it succeeds: the poll waits, nothing is skipped, and a transaction rolled
 * back is stored again whole (the ledger makes a record stored twice a
 * no-op). Only a record that cannot be read goes to mail.dead-letter.
 */
@ApplicationScoped
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    /** Records stored in one transaction at most: the commit is shared, a retry redoes no more than these. */
    static final int RECORDS_PER_TRANSACTION = 100;
    /** Message octets in one transaction at most (one larger record goes alone): the session holds them until the commit. */
    static final long BYTES_PER_TRANSACTION = 8L * 1024 * 1024;

    /** A record that could be read, to be stored. */
    private record Accepted(Envelope envelope, byte[] message) {
    }

    private final Intake intake;
    private final DeadLetters deadLetters;
    private final WorkerMetrics metrics;
    private final DeliveryEvents events;
    private final QueueManager queueManager;

    public InboundConsumer(Intake intake, DeadLetters deadLetters, WorkerMetrics metrics, DeliveryEvents events, QueueManager queueManager) {
        this.intake = intake;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.events = events;
        this.queueManager = queueManager;
    }

    @Incoming("mail-inbound")
    public Uni<Void> consume(ConsumerRecords<String, byte[]> records) {
        List<Accepted> accepted = new ArrayList<>(records.count());
        Uni<Void> work = Uni.createFrom().voidItem();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                Envelope envelope = EnvelopeHeaders.fromRecord(record.key(), record.headers());
                if (record.value() == null || record.value().length == 0) {
                    throw new MalformedEnvelopeException("no message bytes");
                }
                accepted.add(new Accepted(envelope, record.value()));
            } catch (MalformedEnvelopeException e) {
                LOG.warnf("%s-%d@%d: unreadable record to mail.dead-letter: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
                work = work.chain(() -> retried(() -> deadLetters.send(record, e.getMessage()), "dead-letter", record.key())
                        .invoke(metrics::deadLettered));
            }
        }
        return accepted.isEmpty() ? work : work.chain(() -> storeInOrder(accepted));
    }

    /** The records, a transaction after the other. */
    private Uni<Void> storeInOrder(List<Accepted> records) {
        Uni<Void> work = Uni.createFrom().voidItem();
        for (List<Accepted> group : transactions(records, record -> record.message().length)) {
            List<Envelope> envelopes = group.stream().map(Accepted::envelope).toList();
            List<byte[]> messages = group.stream().map(Accepted::message).toList();
            work = work.chain(() -> this.<List<Intake.Result>>retried(
                            () -> Uni.createFrom().completionStage(() -> intake.store(envelopes, messages).toCompletionStage()), "store", describe(group))
                    .invoke(results -> stored(group, results))
                    .replaceWithVoid());
        }
        return work;
    }

    /** The records in groups of one transaction each, in their order. */
    static <T> List<List<T>> transactions(List<T> records, ToLongFunction<T> octets) {
        List<List<T>> groups = new ArrayList<>();
        List<T> group = new ArrayList<>();
        long bytes = 0;
        for (T record : records) {
            long size = octets.applyAsLong(record);
            if (!group.isEmpty() && (group.size() == RECORDS_PER_TRANSACTION || bytes + size > BYTES_PER_TRANSACTION)) {
                groups.add(group);
                group = new ArrayList<>();
                bytes = 0;
            }
            group.add(record);
            bytes += size;
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    private void stored(List<Accepted> group, List<Intake.Result> results) {
        for (int i = 0; i < group.size(); i++) {
            stored(group.get(i).envelope(), results.get(i));
        }
    }

    private void stored(Envelope envelope, Intake.Result result) {
        metrics.stored(result.replay());
        metrics.outcome("local", "delivered", result.delivered().size());
        metrics.outcome("remote", "queued", result.queued());
        metrics.outcome("local", "unknown-user", result.unknownUsers().size());
        metrics.outcome("remote", "refused", result.refused().size());
        result.delivered().forEach(recipient -> events.publish(DeliveryEvent.of(envelope.queueId(), recipient, "local", "delivered", "2.0.0", null, 0)));
        result.unknownUsers().forEach(recipient -> events.publish(DeliveryEvent.of(envelope.queueId(), recipient, "local", "failed", "5.1.1", null, 0)));
        result.refused().forEach((recipient, status) -> events.publish(DeliveryEvent.of(envelope.queueId(), recipient, "remote", "failed", status, null, 0)));
        if (result.queued() > 0 || !result.unknownUsers().isEmpty() || !result.refused().isEmpty()) {
            // new relay work or a bounce to send: no need to wait for the next poll
            queueManager.wake();
        }
    }

    /** The queue ids of a group, for the log: the first and how many more. */
    private static String describe(List<Accepted> group) {
        String first = group.get(0).envelope().queueId();
        return group.size() == 1 ? first : first + " and " + (group.size() - 1) + " more";
    }

    /** Runs {@code work} until it succeeds, backing off between tries and counting each failure by {@code what}. */
    private <T> Uni<T> retried(Supplier<Uni<? extends T>> work, String what, String queueIds) {
        return Uni.createFrom().<T>deferred(work)
                .onFailure().invoke(e -> {
                    LOG.warnf("%s of %s failed, will retry: %s", what, queueIds, e.toString());
                    metrics.retried(what);
                })
                .onFailure().retry().withBackOff(FIRST_RETRY, LONGEST_RETRY).indefinitely();
    }
}
