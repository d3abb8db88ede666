package dev.mailgateway.ingress.queue;

import org.apache.kafka.common.serialization.Serializer;

import dev.mailgateway.ingress.protocol.ReceivedMessage;

/**
 * The record value of a queued message: its trace line and bytes in one
 * array, made when the producer sends it. That happens on the connector's one
 * sending thread, so at most one such array is being made at a time; the
 * producer copies it into its batch and drops it.
 */
public class ReceivedMessageSerializer implements Serializer<ReceivedMessage> {

    @Override
    public byte[] serialize(String topic, ReceivedMessage message) {
        return message == null ? null : message.toByteArray();
    }
}
