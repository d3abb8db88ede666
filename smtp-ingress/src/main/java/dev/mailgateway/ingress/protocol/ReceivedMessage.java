package dev.mailgateway.ingress.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * One message's bytes from the socket to the Kafka record: copied once out of
 * the received chunks into blocks that are never moved or copied while the
 * message grows, and once more into the record's value when the producer
 * serialises it. Blocks grow from {@link #FIRST_BLOCK} to {@link #LARGEST_BLOCK},
 * so a small message takes little and a large one wastes at most one block's
 * slack. The trace fields are set at the end of data and go first; header
 * fields the checks found forged are left out as the record is written.
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
    /** Octet ranges of the message left out of the record, in order and apart: forged fields. */
    private List<Range> omitted = List.of();

    /** Octets {@code from} (inclusive) to {@code to} (exclusive) of the message. */
    public record Range(int from, int to) {
        public int length() {
            return to - from;
        }
    }

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

    /** The fields that go on top ({@code Received:}, then {@code Authentication-Results:}) and the ranges left out. */
    void setTrace(String fields, List<Range> omit) {
        traceLine = fields.getBytes(StandardCharsets.UTF_8);
        omitted = List.copyOf(omit);
    }

    /** Octets of the message as queued: trace fields on top, omitted ranges left out. */
    public long length() {
        return traceLine.length + length - omitted.stream().mapToLong(Range::length).sum();
    }

    /**
     * The message as received, trace fields not included, as one buffer over the blocks: nothing is
     * copied, so reading it (the checks do, before the reply) takes no room beyond the budget's.
     */
    // Vert.x 4's Buffer -> ByteBuf bridge is deprecated for Vert.x 5; it wraps without a copy
    @SuppressWarnings("deprecation")
    public Buffer content() {
        return Buffer.buffer(Unpooled.wrappedBuffer(blocks.toArray(byte[][]::new)).slice(0, Math.toIntExact(length)));
    }

    /** Octets of heap the blocks hold: what was taken from the budget. */
    long allocated() {
        return allocated;
    }

    /** The record's value: the trace fields, then the message without its omitted ranges. */
    public byte[] toByteArray() {
        byte[] all = new byte[Math.toIntExact(length())];
        System.arraycopy(traceLine, 0, all, 0, traceLine.length);
        int at = traceLine.length;
        long from = 0;
        for (Range range : omitted) {
            at = copy(from, range.from(), all, at);
            from = range.to();
        }
        copy(from, length, all, at);
        return all;
    }

    /** Copies message octets {@code from} to {@code to} into {@code target} at {@code at}; returns where they end. */
    private int copy(long from, long to, byte[] target, int at) {
        long blockStart = 0;
        for (byte[] block : blocks) {
            long blockEnd = blockStart + block.length;
            if (blockEnd > from && blockStart < to) {
                int start = (int) (Math.max(from, blockStart) - blockStart);
                int end = (int) (Math.min(to, blockEnd) - blockStart);
                System.arraycopy(block, start, target, at, end - start);
                at += end - start;
            }
            blockStart = blockEnd;
        }
        return at;
    }
}
