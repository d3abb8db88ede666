package dev.mailgateway.pop3.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/**
 * Mail clients retrieve a maildrop in order: RETR 1, RETR 2, ... With one
 * query per message, a maildrop of small messages costs a database round
 * trip each. Asked for a small message, this reads it and the small messages
 * after it in one query, up to {@link #WINDOW} octets, and hands them out as
 * they are asked for. Large messages still stream in chunks. What is read
 * ahead comes out of a {@link Budget} shared by every session of the server,
 * so many stalled clients cannot fill the heap: with the budget spent,
 * messages are read one by one again.
 */
public final class ReadAhead {

    /** Messages up to this size are read ahead; larger ones are streamed chunk by chunk. */
    static final long MAX_MESSAGE = 128 * 1024;

    /** Octets one query reads ahead at most (the message asked for included). */
    static final long WINDOW = 512 * 1024;

    /** The octets every session's read-ahead may hold at once, server-wide. */
    public static final class Budget {

        private final AtomicLong left;

        public Budget(long bytes) {
            this.left = new AtomicLong(bytes);
        }

        boolean take(long bytes) {
            if (left.addAndGet(-bytes) >= 0) {
                return true;
            }
            left.addAndGet(bytes);
            return false;
        }

        void give(long bytes) {
            left.addAndGet(bytes);
        }
    }

    private final MessageStore store;
    private final Budget budget;
    /** Read or being read, by entry id; each taken out when asked for. */
    private final Map<Long, Future<Buffer>> ahead = new HashMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    /** The octets of {@link #sizes}. */
    private long octetsAhead;

    public ReadAhead(MessageStore store, Budget budget) {
        this.store = store;
        this.budget = budget;
    }

    /** The content of {@code messages.get(index)}, reading the small live messages after it along with it. */
    MessageSource source(List<MessageStore.Entry> messages, boolean[] deleted, int index) {
        MessageStore.Entry entry = messages.get(index);
        if (!ahead.containsKey(entry.id())) {
            if (entry.size() > MAX_MESSAGE) {
                return store.content(entry);
            }
            readFrom(messages, deleted, index);
            if (!ahead.containsKey(entry.id())) {
                // the budget is spent: one by one
                return store.content(entry);
            }
        }
        Future<Buffer> content = ahead.remove(entry.id());
        long size = sizes.remove(entry.id());
        octetsAhead -= size;
        // from here the response holds it, as it would any message: the budget has it back
        content.onComplete(done -> budget.give(size));
        if (octetsAhead < WINDOW / 2) {
            readFrom(messages, deleted, index + 1);
        }
        return (offset, length) -> content.map(whole -> whole.slice((int) Math.min(offset, whole.length()),
                (int) Math.min(offset + length, whole.length())));
    }

    private void readFrom(List<MessageStore.Entry> messages, boolean[] deleted, int index) {
        List<MessageStore.Entry> batch = new ArrayList<>();
        long octets = 0;
        for (int i = index; i < messages.size(); i++) {
            MessageStore.Entry next = messages.get(i);
            if (deleted[i] || ahead.containsKey(next.id())) {
                continue;
            }
            if (next.size() > MAX_MESSAGE || octets + next.size() > WINDOW) {
                break;
            }
            batch.add(next);
            octets += next.size();
        }
        if (batch.isEmpty() || !budget.take(octets)) {
            return;
        }
        Future<Map<Long, Buffer>> bodies = store.bodies(batch);
        for (MessageStore.Entry each : batch) {
            ahead.put(each.id(), bodies.map(byBody -> byBody.getOrDefault(each.bodyId(), Buffer.buffer())));
            sizes.put(each.id(), each.size());
        }
        octetsAhead += octets;
    }

    /** Gives back what was read ahead and never asked for; the session calls it when it ends. */
    void discard() {
        sizes.values().forEach(budget::give);
        sizes.clear();
        octetsAhead = 0;
        ahead.clear();
    }
}
