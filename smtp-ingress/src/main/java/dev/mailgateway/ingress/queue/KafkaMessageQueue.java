package dev.mailgateway.ingress.queue;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Future;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.ingress.IngressConfig;
import dev.mailgateway.ingress.protocol.MessageQueue;
import dev.mailgateway.ingress.protocol.ReceivedMessage;

/**
 * Queues an accepted message as one record on {@code mail.inbound}: key the
 * queue id, value the message bytes, envelope in headers (ARCHITECTURE
 * decision 1). The message's blocks go to the producer as they are; its
 * serializer makes the value (see {@link ReceivedMessageSerializer}). The future completes only on the broker's acknowledgement
 * (acks=all, idempotent producer), so 250 means durable.
 */
@ApplicationScoped
public class KafkaMessageQueue implements MessageQueue {

    // field injection: the messaging extension wires emitters found on fields
    @Inject
    @Channel("mail-inbound")
    MutinyEmitter<ReceivedMessage> emitter;

    private final Timer publishLatency;
    private final Counter queuedBytes;
    private final Duration queueTimeout;

    public KafkaMessageQueue(MeterRegistry registry, IngressConfig config) {
        this.queueTimeout = config.queueTimeout();
        this.publishLatency = Timer.builder("smtp.publish.latency")
                .description("Time from the end of DATA to Kafka's acknowledgement")
                .publishPercentileHistogram()
                .register(registry);
        this.queuedBytes = Counter.builder("smtp.queued.bytes").description("Bytes of the messages Kafka acknowledged").register(registry);
    }

    @Override
    public Future<Void> enqueue(Envelope envelope, ReceivedMessage message) {
        try {
            return send(envelope, message);
        } catch (RuntimeException e) {
            // an emitter that refuses at once (channel down, no demand) is a failed send: 451, the session goes on
            return Future.failedFuture(e);
        }
    }

    private Future<Void> send(Envelope envelope, ReceivedMessage message) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(envelope.queueId())
                .withHeaders(new RecordHeaders(EnvelopeHeaders.toHeaders(envelope)))
                .build();
        Timer.Sample sample = Timer.start();
        return Future.fromCompletionStage(emitter.sendMessage(Message.of(message).addMetadata(metadata))
                .invoke(() -> {
                    sample.stop(publishLatency);
                    queuedBytes.increment(message.length());
                })
                // a last guard: the producer settings already end every send within this bound
                .ifNoItem().after(queueTimeout).fail()
                .subscribeAsCompletionStage());
    }
}
