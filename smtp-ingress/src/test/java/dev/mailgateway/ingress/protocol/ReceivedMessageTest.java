package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class ReceivedMessageTest {

    /** Appends as the session does: a block first when the bytes do not fit. */
    private static void append(ReceivedMessage message, byte[] bytes) {
        if (message.room() < bytes.length) {
            message.addBlock(message.nextBlockSize(bytes.length));
        }
        message.append(Buffer.buffer(bytes));
    }

    @Test
    void piecesOfAnySizeComeOutInOrderAfterTheTraceLine() {
        Random random = new Random(7);
        ReceivedMessage message = new ReceivedMessage();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        while (expected.size() < 5 * 1024 * 1024) {
            byte[] piece = new byte[random.nextInt(3) == 0 ? random.nextInt(64 * 1024 + 3) : random.nextInt(200)];
            random.nextBytes(piece);
            append(message, piece);
            expected.writeBytes(piece);
        }
        message.setTraceLine("Received: x\r\n");
        byte[] trace = "Received: x\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(trace.length + expected.size(), message.length());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(trace);
        all.writeBytes(expected.toByteArray());
        assertArrayEquals(all.toByteArray(), message.toByteArray());
    }

    @Test
    void blocksDoubleFromTheFirstToTheLargestSoLittleIsHeldBeyondTheMessage() {
        ReceivedMessage small = new ReceivedMessage();
        append(small, new byte[2048]);
        assertEquals(ReceivedMessage.FIRST_BLOCK, small.allocated(), "a 2 KiB message takes one first block");

        ReceivedMessage large = new ReceivedMessage();
        byte[] line = new byte[1000];
        long length = 0;
        while (length < 20L * 1024 * 1024) {
            append(large, line);
            length += line.length;
            long slack = large.allocated() - length;
            assertEquals(true, slack < Math.max(length, ReceivedMessage.FIRST_BLOCK) && slack < ReceivedMessage.LARGEST_BLOCK,
                    "slack " + slack + " at " + length);
        }
    }

    @Test
    void anEmptyMessageIsItsTraceLine() {
        ReceivedMessage message = new ReceivedMessage();
        message.setTraceLine("Received: x\r\n");
        assertArrayEquals("Received: x\r\n".getBytes(StandardCharsets.US_ASCII), message.toByteArray());
        assertEquals(0, message.allocated());
    }
}
