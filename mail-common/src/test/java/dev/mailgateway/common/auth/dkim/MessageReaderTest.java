package dev.mailgateway.common.auth.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

class MessageReaderTest {

    /** One chunk's worth of octets handed out for every read: a message of any size at no memory cost. */
    private static final Buffer CHUNK = Buffer.buffer(new byte[MessageSource.CHUNK]);

    private static MessageSource endless() {
        return (offset, length) -> Future.succeededFuture(CHUNK.slice(0, length));
    }

    /** Reads that complete at once, as a message in memory gives them, must not nest: a compose chain would overflow here. */
    @Test
    void readsCompletedAtOnceDoNotGrowTheStack() {
        long chunks = 100_000;
        AtomicLong octets = new AtomicLong();
        Future<Void> done = MessageReader.readAll(endless(), chunks * MessageSource.CHUNK - 5, chunk -> octets.addAndGet(chunk.length()));
        assertTrue(done.succeeded(), () -> String.valueOf(done.cause()));
        assertEquals(chunks * MessageSource.CHUNK - 5, octets.get());
    }

    @Test
    void readsCompletedLaterResumeTheLoop() {
        Deque<Promise<Buffer>> pending = new ArrayDeque<>();
        MessageSource later = (offset, length) -> {
            Promise<Buffer> read = Promise.promise();
            pending.add(read);
            return read.future().map(ignored -> CHUNK.slice(0, length));
        };
        AtomicLong octets = new AtomicLong();
        Future<Void> done = MessageReader.readAll(later, 3L * MessageSource.CHUNK + 1, chunk -> octets.addAndGet(chunk.length()));
        for (int reads = 1; reads <= 4; reads++) {
            assertFalse(done.isComplete());
            assertEquals(1, pending.size(), "one read at a time");
            pending.poll().complete();
        }
        assertTrue(done.succeeded());
        assertEquals(3L * MessageSource.CHUNK + 1, octets.get());
    }

    @Test
    void aFailedReadOrAThrowingConsumerFailsTheResult() {
        MessageSource failing = (offset, length) -> offset == 0 ? endless().read(offset, length) : Future.failedFuture("store gone");
        assertEquals("store gone", MessageReader.readAll(failing, 2L * MessageSource.CHUNK, chunk -> { }).cause().getMessage());
        Future<Void> refused = MessageReader.readAll(endless(), 10, chunk -> {
            throw new DkimFormatException("Header section over");
        });
        assertTrue(refused.cause() instanceof DkimFormatException);
        MessageSource throwing = (offset, length) -> {
            throw new IllegalStateException("pool closed");
        };
        assertEquals("pool closed", MessageReader.readAll(throwing, 10, chunk -> { }).cause().getMessage());
    }
}
