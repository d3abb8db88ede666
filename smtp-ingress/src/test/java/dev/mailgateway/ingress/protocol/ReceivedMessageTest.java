package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
        message.setTrace("Received: x\r\n", List.of());
        byte[] trace = "Received: x\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(trace.length + expected.size(), message.length());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(trace);
        all.writeBytes(expected.toByteArray());
        assertArrayEquals(all.toByteArray(), message.toByteArray());
        assertArrayEquals(expected.toByteArray(), message.content().getBytes(), "the content, over the blocks");
    }

    /** Forged fields the checks found are left out, wherever the blocks' edges fall. */
    @Test
    void omittedRangesAreLeftOutAcrossBlockEdges() {
        ReceivedMessage message = new ReceivedMessage();
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3 * ReceivedMessage.FIRST_BLOCK; i++) {
            String line = "Line-" + i + ": " + "x".repeat(i % 97) + "\r\n";
            append(message, line.getBytes(StandardCharsets.US_ASCII));
            text.append(line);
        }
        int firstEdge = ReceivedMessage.FIRST_BLOCK;
        List<ReceivedMessage.Range> omit = List.of(new ReceivedMessage.Range(0, 10),
                new ReceivedMessage.Range(firstEdge - 5, firstEdge + 5), new ReceivedMessage.Range(text.length() - 3, text.length()));
        message.setTrace("A: b\r\n", omit);
        String expected = "A: b\r\n" + text.substring(10, firstEdge - 5) + text.substring(firstEdge + 5, text.length() - 3);
        assertEquals(expected, new String(message.toByteArray(), StandardCharsets.US_ASCII));
        assertEquals(expected.length(), message.length());
        assertEquals(text.toString(), message.content().toString(StandardCharsets.US_ASCII), "the content is the message as received");
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
        message.setTrace("Received: x\r\n", List.of());
        assertArrayEquals("Received: x\r\n".getBytes(StandardCharsets.US_ASCII), message.toByteArray());
        assertEquals(0, message.allocated());
    }
}
