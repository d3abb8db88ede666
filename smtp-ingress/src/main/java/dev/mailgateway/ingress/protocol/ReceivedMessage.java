package dev.mailgateway.ingress.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.buffer.Buffer;

/**
 * One message's bytes from the socket to the Kafka record: copied once out of
 * the received chunks into blocks that are never moved or copied while the
 * message grows, and once more into the record's value when the producer
 * serialises it. Blocks grow from {@link #FIRST_BLOCK} to {@link #LARGEST_BLOCK},
 * so a small message takes little and a large one wastes at most one block's
 * slack. The trace line is set at the end of data and goes first.
 */
public final class ReceivedMessage {

    /** A 2 KiB message fits in the first block. */
    static final int FIRST_BLOCK = 8 * 1024;
    /** Larger than any piece a decoder hands out, so one new block always takes a whole piece. */
    static final int LARGEST_BLOCK = 1024 * 1024;

    private final List<byte[]> blocks = new ArrayList<>();
    /** Octets of heap the blocks hold, and octets of the message in them: blocks fill in order. */
    private long allocated;
    private long length;
    /** The block where the message ends, and the message offset where that block starts. */
    private int endBlock;
    private long endBlockStart;
    private byte[] traceLine = new byte[0];

    /** Octets that still fit in the blocks. */
    long room() {
        return allocated - length;
    }

    /** The size of the block to add so that {@code octets} more fit: double what the message has, within the bounds. */
    int nextBlockSize(int octets) {
        long doubling = Math.max(FIRST_BLOCK, Math.min(LARGEST_BLOCK, allocated));
        return (int) Math.max(doubling, octets - room());
    }

    /** Adds an empty block; its octets must have been taken from the budget. */
    void addBlock(int size) {
        blocks.add(new byte[size]);
        allocated += size;
    }

    /** Appends {@code bytes}, which must fit in {@link #room()}. */
    void append(Buffer bytes) {
        int from = 0;
        while (from < bytes.length()) {
            byte[] target = blocks.get(endBlock);
            int at = (int) (length - endBlockStart);
            if (at == target.length) {
                endBlockStart += target.length;
                endBlock++;
                continue;
            }
            int n = Math.min(bytes.length() - from, target.length - at);
            bytes.getBytes(from, from + n, target, at);
            from += n;
            length += n;
        }
    }

    void setTraceLine(String line) {
        traceLine = line.getBytes(StandardCharsets.UTF_8);
    }

    /** Octets of the message as queued, trace line included. */
    public long length() {
        return traceLine.length + length;
    }

    /** Octets of heap the blocks hold: what was taken from the budget. */
    long allocated() {
        return allocated;
    }

    /** The record's value: the trace line, then the message. */
    public byte[] toByteArray() {
        byte[] all = new byte[Math.toIntExact(length())];
        System.arraycopy(traceLine, 0, all, 0, traceLine.length);
        int at = traceLine.length;
        long left = length;
        for (byte[] block : blocks) {
            int n = (int) Math.min(left, block.length);
            System.arraycopy(block, 0, all, at, n);
            at += n;
            left -= n;
        }
        return all;
    }
}
