package dev.mailgateway.worker.inbound;

import java.time.Duration;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.common.envelope.MalformedEnvelopeException;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.events.DeliveryEvent;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.remote.RelayScheduler;

/**
 * Consumes mail.inbound: each record is stored by {@link Intake} in one
 * transaction, then acknowledged (its offset committed). A database failure
 * is retried with backoff until it succeeds: the partition waits, nothing is
 * skipped. Only a record that cannot be read goes to mail.dead-letter.
 */
@ApplicationScoped
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final Intake intake;
    private final DeadLetters deadLetters;
    private final WorkerMetrics metrics;
    private final DeliveryEvents events;
    private final RelayScheduler relays;

    public InboundConsumer(Intake intake, DeadLetters deadLetters, WorkerMetrics metrics, DeliveryEvents events, RelayScheduler relays) {
        this.intake = intake;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.events = events;
        this.relays = relays;
    }

    @Incoming("mail-inbound")
    public Uni<Void> consume(ConsumerRecord<String, byte[]> record) {
        Envelope envelope;
        try {
            envelope = EnvelopeHeaders.fromRecord(record.key(), record.headers());
            if (record.value() == null || record.value().length == 0) {
                throw new MalformedEnvelopeException("no message bytes");
            }
        } catch (MalformedEnvelopeException e) {
            LOG.warnf("%s-%d@%d: unreadable record to mail.dead-letter: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return retried(() -> deadLetters.send(record, e.getMessage()), "dead-letter", record.key())
                    .invoke(metrics::deadLettered);
        }
        return retried(() -> Panache.withTransaction(() -> intake.store(envelope, record.value())), "store", envelope.queueId())
                .invoke(result -> stored(envelope, result))
                .replaceWithVoid();
    }

    private void stored(Envelope envelope, Intake.Result result) {
        metrics.stored(result);
        result.delivered().forEach(recipient -> events.publish(DeliveryEvent.of(envelope.queueId(), recipient, "local", "delivered", "2.0.0", null, 0)));
        result.unknownUsers().forEach(recipient -> events.publish(DeliveryEvent.of(envelope.queueId(), recipient, "local", "failed", "5.1.1", null, 0)));
        if (result.queued() > 0 || !result.unknownUsers().isEmpty()) {
            // new relay work or a bounce to send: no need to wait for the next poll
            relays.wake();
        }
    }

    /**
     * Runs {@code work} until it succeeds, backing off between tries and
     * counting each failure by {@code what}. Every try
     * starts on this record's Vert.x context, which Hibernate Reactive needs.
     */
    private <T> Uni<T> retried(Supplier<Uni<? extends T>> work, String what, String queueId) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().<T>deferred(work)
                .runSubscriptionOn(task -> context.runOnContext(v -> task.run()))
                .onFailure().invoke(e -> {
                    LOG.warnf("%s of %s failed, will retry: %s", what, queueId, e.toString());
                    metrics.retried(what);
                })
                .onFailure().retry().withBackOff(FIRST_RETRY, LONGEST_RETRY).indefinitely();
    }
}
