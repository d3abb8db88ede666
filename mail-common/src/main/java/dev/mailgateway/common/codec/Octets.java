package dev.mailgateway.common.codec;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;

/**
 * A buffer's octets as a region of an array, for the loops that look at every octet of a message:
 * {@code array[offset]} to {@code array[offset + length - 1]}. Buffer.getByte checks its bounds on
 * each call, through every slice: most of the third of the ingress's time that went to bounds checks
 * at 100 KiB messages.
 */
public record Octets(byte[] array, int offset, int length) {

    /**
     * A heap buffer's own array, read in place (what Vert.x hands a socket's reader); a direct
     * buffer's octets, copied.
     */
    // Vert.x 4's Buffer -> ByteBuf bridge is deprecated for Vert.x 5, which moves it to BufferInternal
    @SuppressWarnings("deprecation")
    public static Octets of(Buffer chunk) {
        ByteBuf view = chunk.getByteBuf();
        if (view.hasArray()) {
            return new Octets(view.array(), view.arrayOffset() + view.readerIndex(), view.readableBytes());
        }
        return new Octets(chunk.getBytes(), 0, chunk.length());
    }
}
