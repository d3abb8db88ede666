package dev.mailgateway.pop3.protocol;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** Reads a stored message in chunks, so a large message never sits whole in memory. */
@FunctionalInterface
public interface MessageSource {
    /** Up to {@code length} bytes from {@code offset} (0-based); fewer only at the end. */
    Future<Buffer> read(long offset, int length);
}
