package dev.mailgateway.common.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** Reads a stored message in chunks, so a large message never sits whole in memory. */
@FunctionalInterface
public interface MessageSource {

    /**
     * Octets asked for per read by those streaming a whole message (relay DATA, DKIM signing): one
     * {@link MessageBodies#READ_RANGE} round trip, few enough to hold one per message in flight.
     */
    int CHUNK = 64 * 1024;

    /** Up to {@code length} bytes from {@code offset} (0-based); fewer only at the end. */
    Future<Buffer> read(long offset, int length);

    /** A message already in memory, handed out as slices of it. */
    static MessageSource of(Buffer whole) {
        return (offset, length) -> Future.succeededFuture(
                whole.slice((int) Math.min(offset, whole.length()), (int) Math.min(offset + length, whole.length())));
    }
}
