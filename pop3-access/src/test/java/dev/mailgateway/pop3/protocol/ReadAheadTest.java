package dev.mailgateway.pop3.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/** Reading small messages ahead: fewer queries, the same bytes, and never more memory than the budget. */
class ReadAheadTest {

    /** A message store that serves "message N" padded to each entry's size and notes every query. */
    private final List<String> queries = new ArrayList<>();

    private final MessageStore store = new MessageStore() {
        @Override
        public MessageSource content(Entry entry) {
            queries.add("content " + entry.id());
            return (offset, length) -> Future.succeededFuture(text(entry).slice((int) offset, (int) Math.min(entry.size(), offset + length)));
        }

        @Override
        public Future<Map<Long, Buffer>> bodies(List<Entry> entries) {
            queries.add("bodies " + entries.stream().map(e -> String.valueOf(e.id())).reduce((a, b) -> a + "," + b).orElse(""));
            Map<Long, Buffer> bodies = new HashMap<>();
            entries.forEach(entry -> bodies.put(entry.bodyId(), text(entry)));
            return Future.succeededFuture(bodies);
        }

        @Override
        public Future<List<Entry>> list(long accountId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Boolean> delete(long accountId, String owner, List<Entry> entries) {
            throw new UnsupportedOperationException();
        }
    };

    private static Buffer text(MessageStore.Entry entry) {
        String head = "message " + entry.id() + "\r\n";
        return Buffer.buffer(head + "x".repeat((int) entry.size() - head.length()));
    }

    private static List<MessageStore.Entry> entries(long... sizes) {
        List<MessageStore.Entry> entries = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            entries.add(new MessageStore.Entry(i + 1, "UID" + (i + 1), sizes[i], 100 + i + 1));
        }
        return entries;
    }

    private static String read(MessageSource source, long size) {
        return source.read(0, (int) size).result().toString();
    }

    @Test
    void smallMessagesInARowCostOneQueryPerWindow() {
        // four of 120 KB fit a 512 KiB window, a fifth message of 60 KB does not
        List<MessageStore.Entry> messages = entries(120_000, 40_000, 120_000, 120_000, 120_000, 60_000);
        boolean[] deleted = new boolean[messages.size()];
        deleted[1] = true;
        ReadAhead readAhead = new ReadAhead(store, new ReadAhead.Budget(1 << 20));
        for (int index : new int[] {0, 2, 3, 4, 5}) {
            MessageStore.Entry entry = messages.get(index);
            assertEquals(text(entry).toString(), read(readAhead.source(messages, deleted, index), entry.size()));
        }
        // the deleted message is skipped
        assertEquals(List.of("bodies 1,3,4,5", "bodies 6"), queries);
    }

    @Test
    void theNextWindowIsReadWhileTheClientStillRetrievesThisOne() {
        // five of 100 KiB fill a 512 KiB window; with two left ahead (200 KiB, under half a window) the rest is read
        List<MessageStore.Entry> messages = entries(102_400, 102_400, 102_400, 102_400, 102_400, 102_400, 102_400, 102_400);
        boolean[] deleted = new boolean[messages.size()];
        ReadAhead readAhead = new ReadAhead(store, new ReadAhead.Budget(1 << 20));
        readAhead.source(messages, deleted, 0);
        readAhead.source(messages, deleted, 1);
        assertEquals(List.of("bodies 1,2,3,4,5"), queries);
        readAhead.source(messages, deleted, 2);
        assertEquals(List.of("bodies 1,2,3,4,5", "bodies 6,7,8"), queries, "read before RETR 6 asks");
        for (int index = 3; index < messages.size(); index++) {
            MessageStore.Entry entry = messages.get(index);
            assertEquals(text(entry).toString(), read(readAhead.source(messages, deleted, index), entry.size()));
        }
        assertEquals(2, queries.size());
    }

    @Test
    void largeMessagesStreamInChunksAndEndTheWindow() {
        List<MessageStore.Entry> messages = entries(1_000, 5_000_000, 1_000);
        boolean[] deleted = new boolean[messages.size()];
        ReadAhead readAhead = new ReadAhead(store, new ReadAhead.Budget(1 << 20));
        for (int index = 0; index < messages.size(); index++) {
            MessageSource source = readAhead.source(messages, deleted, index);
            assertEquals("message " + (index + 1), read(source, 20).substring(0, 9));
        }
        assertEquals(List.of("bodies 1", "content 2", "bodies 3"), queries);
    }

    @Test
    void aSpentBudgetMeansOneByOneAndDiscardGivesItBack() {
        List<MessageStore.Entry> messages = entries(1_000, 1_000, 1_000, 1_000);
        boolean[] deleted = new boolean[messages.size()];
        ReadAhead.Budget budget = new ReadAhead.Budget(4_000);
        ReadAhead first = new ReadAhead(store, budget);
        first.source(messages, deleted, 0);
        // the first session holds messages 2 to 4 ahead: 3,000 octets of the 4,000
        ReadAhead second = new ReadAhead(store, budget);
        assertEquals("message 1", read(second.source(messages, deleted, 0), 1_000).substring(0, 9));
        assertEquals(List.of("bodies 1,2,3,4", "content 1"), queries);
        first.discard();
        second.source(messages, deleted, 1);
        assertEquals("bodies 2,3,4", queries.get(2), "the budget is back once the first session ended");
    }
}
