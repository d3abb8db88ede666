package dev.mailgateway.ingress.protocol;

import io.vertx.core.Future;

import dev.mailgateway.common.envelope.Envelope;

/** Where an accepted message goes: completes only once it is durable (the 250 waits for it). */
public interface MessageQueue {
    Future<Void> enqueue(Envelope envelope, ReceivedMessage message);
}
