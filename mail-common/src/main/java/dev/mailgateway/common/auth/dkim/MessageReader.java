package dev.mailgateway.common.auth.dkim;

import java.util.function.Consumer;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/**
 * Reads a stored message of known size from start to end, one
 * {@link MessageSource#CHUNK} at a time, handing each chunk on. A loop, not
 * a chain of composed futures: such a chain nests a few frames per chunk
 * whenever reads complete at once (a message already in memory), and a large
 * message overflows the stack. A read that completes later resumes the loop
 * from its callback, one frame deep.
 */
final class MessageReader {

    private final MessageSource source;
    private final long size;
    private final Consumer<Buffer> consumer;
    private final Promise<Void> done = Promise.promise();
    private long offset;

    private MessageReader(MessageSource source, long size, Consumer<Buffer> consumer) {
        this.source = source;
        this.size = size;
        this.consumer = consumer;
    }

    /**
     * @return completed once all {@code size} octets went to the consumer; failed when a read fails, the message
     *         ends early (the size is part of what was stored with it) or the consumer throws
     */
    static Future<Void> readAll(MessageSource source, long size, Consumer<Buffer> consumer) {
        MessageReader reader = new MessageReader(source, size, consumer);
        reader.loop();
        return reader.done.future();
    }

    private void loop() {
        while (offset < size) {
            Future<Buffer> read;
            try {
                read = source.read(offset, wanted());
            } catch (RuntimeException e) {
                done.fail(e);
                return;
            }
            if (!read.isComplete()) {
                read.onComplete(chunk -> {
                    if (took(chunk)) {
                        loop();
                    }
                });
                return;
            }
            if (!took(read)) {
                return;
            }
        }
        done.complete();
    }

    private int wanted() {
        return (int) Math.min(MessageSource.CHUNK, size - offset);
    }

    /** Hands the chunk on; false, with the result failed, when there is no chunk of the wanted length or the consumer threw. */
    private boolean took(AsyncResult<Buffer> read) {
        if (read.failed()) {
            done.fail(read.cause());
            return false;
        }
        Buffer chunk = read.result();
        if (chunk.length() != wanted()) {
            // MessageSource gives fewer octets only at the end: the message is shorter than its size
            done.fail(new IllegalStateException("Message ended at octet " + (offset + chunk.length()) + " of " + size));
            return false;
        }
        try {
            consumer.accept(chunk);
        } catch (RuntimeException e) {
            done.fail(e);
            return false;
        }
        offset += chunk.length();
        return true;
    }
}
