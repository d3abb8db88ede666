package dev.mailgateway.worker.remote;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/** A body stored before its 8-bit flag existed is read through, chunk by chunk, before it is relayed. */
class OutboundMessageTest {

    private static final int SIZE = 3 * MessageSource.CHUNK + 17;

    @Test
    void anOctetAbove127InAnyChunkIsFound() {
        byte[] body = "a".repeat(SIZE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertFalse(OutboundMessage.hasEightBitOctets(MessageSource.of(Buffer.buffer(body)), SIZE).result());
        body[SIZE - 1] = (byte) 0xe9;
        assertTrue(OutboundMessage.hasEightBitOctets(MessageSource.of(Buffer.buffer(body)), SIZE).result(), "in the last, short chunk");
        body[SIZE - 1] = 'a';
        body[2 * MessageSource.CHUNK] = (byte) 0x80;
        assertTrue(OutboundMessage.hasEightBitOctets(MessageSource.of(Buffer.buffer(body)), SIZE).result(), "first octet of the third chunk");
    }
}
