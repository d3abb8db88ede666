package dev.mailgateway.common.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * Byte-stuffing of a multi-line response (RFC 1939 section 3) or of DATA
 * (RFC 5321 section 4.5.2): a line that starts with "." gets one more, so
 * only the terminating ".CRLF" ends it. Works on chunks cut anywhere; a line
 * starts after every LF, so no client, strict or lenient about bare LF, can
 * be made to see an early end. The content is not copied: the result is
 * slices of the chunk with the added dots between them, and line ends are
 * found eight octets at a time (a mail line is some 80). Results are heap buffers that
 * a write cannot release: Vert.x buffers are not reference-counted, and the
 * chunk may be sent again (a relay to the next MX).
 */
// Vert.x 4's Buffer <-> ByteBuf bridge is deprecated for Vert.x 5, which moves it to BufferInternal
@SuppressWarnings("deprecation")
public final class DotStuffer {

    private static final ByteBuf DOT = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {'.'}));

    // the last two bytes seen; an empty response counts as ending with CRLF
    private byte secondLast = '\r';
    private byte last = '\n';

    public Buffer stuff(Buffer chunk) {
        ByteBuf in = chunk.getByteBuf();
        int start = in.readerIndex();
        int end = in.writerIndex();
        if (start == end) {
            return chunk;
        }
        Octets view = Octets.of(chunk);
        byte[] octets = view.array();
        int base = view.offset() - start;
        CompositeByteBuf out = null;
        int from = start;
        int lineStart = last == '\n' ? start : nextLine(octets, base, start, end);
        while (lineStart >= 0 && lineStart < end) {
            if (octets[base + lineStart] == '.') {
                out = out == null ? Unpooled.compositeBuffer(Integer.MAX_VALUE) : out;
                out.addComponent(true, in.slice(from, lineStart - from)).addComponent(true, DOT.duplicate());
                from = lineStart;
            }
            lineStart = nextLine(octets, base, lineStart, end);
        }
        secondLast = end - start > 1 ? octets[base + end - 2] : last;
        last = octets[base + end - 1];
        if (out == null) {
            return chunk;
        }
        return Buffer.buffer(Unpooled.unreleasableBuffer(out.addComponent(true, in.slice(from, end - from))));
    }

    /**
     * Where the line after the one at buffer index {@code from} starts; -1 when it starts in a later chunk.
     * Buffer index i is {@code octets[base + i]}. Eight octets per step: a zero byte of word XOR "\n\n\n\n\n\n\n\n"
     * is an LF, and (x - 0x01..) & ~x & 0x80.. marks the first zero byte exactly.
     */
    private static int nextLine(byte[] octets, int base, int from, int end) {
        int i = base + from;
        int stop = base + end;
        for (; i + Long.BYTES <= stop; i += Long.BYTES) {
            long x = (long) WORDS.get(octets, i) ^ LFS;
            long zero = (x - ONES) & ~x & HIGHS;
            if (zero != 0) {
                return i + (Long.numberOfTrailingZeros(zero) >>> 3) + 1 - base;
            }
        }
        for (; i < stop; i++) {
            if (octets[i] == '\n') {
                return i + 1 - base;
            }
        }
        return -1;
    }

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The end of the response: ".CRLF", after a CRLF if the content did not end with one. */
    public Buffer terminator() {
        return Buffer.buffer(secondLast == '\r' && last == '\n' ? ".\r\n" : "\r\n.\r\n");
    }

    /** The parts as one buffer, without copying them: a response written in one piece costs one system call. */
    public static Buffer joined(Buffer... parts) {
        ByteBuf[] bufs = new ByteBuf[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bufs[i] = parts[i].getByteBuf();
        }
        return Buffer.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bufs)));
    }
}
