package dev.mailgateway.worker.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes delivery outcomes on mail.events, keyed by queue id so a
 * message's events stay in order. An audit trail, not the mail path: the
 * outcome is already durable in PostgreSQL, so delivery never waits for an
 * event; one that cannot be published is logged and counted.
 */
// at start-up, not at the first event: its two counters are exported from the start, lost ones at 0
@Startup
@ApplicationScoped
public class DeliveryEvents {

    private static final Logger LOG = Logger.getLogger(DeliveryEvents.class);
    /** Events waiting for the producer; a burst of outcomes beyond it is counted as lost, never blocks delivery. */
    static final int EVENT_BUFFER = 16_384;

    // field injection: the messaging extension wires emitters found on fields
    @Inject
    @Channel("mail-events")
    @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = EVENT_BUFFER)
    MutinyEmitter<String> emitter;

    private final ObjectMapper json;
    // looked up once, not by name and tags for every event
    private final Counter published;
    private final Counter lost;

    public DeliveryEvents(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        this.published = registry.counter("delivery.events", "result", "published");
        this.lost = registry.counter("delivery.events", "result", "lost");
    }

    public void publish(DeliveryEvent event) {
        String value;
        try {
            value = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a flat record always serialises", e);
        }
        Message<String> message = Message.of(value).addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.queueId()).build());
        emitter.sendMessage(message).subscribe().with(
                ok -> published.increment(),
                e -> {
                    lost.increment();
                    LOG.warnf("event %s %s for %s not published: %s", event.result(), event.queueId(), event.recipient(), e.toString());
                });
    }
}
