package dev.mailgateway.worker.dsn;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;

/**
 * Queues a bounce on mail.inbound, like any accepted message (ARCHITECTURE
 * decision 7): the worker then delivers it to a local sender's mailbox or
 * relays it to a remote one. Done when the broker acknowledged it (acks=all).
 */
@ApplicationScoped
public class BounceQueue {

    // field injection: the messaging extension wires emitters found on fields
    @Inject
    @Channel("mail-bounces")
    MutinyEmitter<byte[]> emitter;

    public Uni<Void> enqueue(Envelope envelope, byte[] message) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(envelope.queueId())
                .withHeaders(new RecordHeaders(EnvelopeHeaders.toHeaders(envelope)))
                .build();
        return emitter.sendMessage(Message.of(message).addMetadata(metadata));
    }
}
