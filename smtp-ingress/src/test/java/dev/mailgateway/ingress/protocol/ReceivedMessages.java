package dev.mailgateway.ingress.protocol;

import io.vertx.core.buffer.Buffer;

/** Messages as a session would have kept them, for tests outside this package. */
public final class ReceivedMessages {

    private ReceivedMessages() {
    }

    public static ReceivedMessage of(byte[] bytes) {
        ReceivedMessage message = new ReceivedMessage();
        message.addBlock(Math.max(1, bytes.length));
        message.append(Buffer.buffer(bytes));
        return message;
    }
}
