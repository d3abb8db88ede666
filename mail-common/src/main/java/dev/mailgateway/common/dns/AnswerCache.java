package dev.mailgateway.common.dns;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers kept until their TTL runs out, least recently used first out when
 * the octet budget is spent: so many distinct names (a spammer's random
 * subdomains) cost at most the budget. Each entry is weighed by its name and
 * record data plus a fixed overhead. Thread-safe: lookups come from every
 * event loop.
 */
final class AnswerCache<K> {

    /** A rough per-entry cost on the heap beyond its name and records: map node, key, answer, list. */
    static final long ENTRY_OVERHEAD = 160;

    private record Entry(DnsAnswer<?> answer, long expiresAtMillis, long weight) {
    }

    private final long maxWeight;
    private final LinkedHashMap<K, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long weight;

    AnswerCache(long maxWeight) {
        this.maxWeight = maxWeight;
    }

    /** The answer for {@code key} while its TTL runs, else null (an expired one is dropped). */
    synchronized DnsAnswer<?> get(K key, long nowMillis) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (nowMillis >= entry.expiresAtMillis()) {
            remove(key);
            return null;
        }
        return entry.answer();
    }

    /** Keeps {@code answer} until {@code expiresAtMillis}; an entry heavier than the whole budget is not kept. */
    synchronized void put(K key, DnsAnswer<?> answer, long expiresAtMillis, long entryWeight) {
        remove(key);
        if (entryWeight > maxWeight) {
            return;
        }
        entries.put(key, new Entry(answer, expiresAtMillis, entryWeight));
        weight += entryWeight;
        Iterator<Map.Entry<K, Entry>> eldest = entries.entrySet().iterator();
        while (weight > maxWeight && eldest.hasNext()) {
            weight -= eldest.next().getValue().weight();
            eldest.remove();
        }
    }

    private void remove(K key) {
        Entry old = entries.remove(key);
        if (old != null) {
            weight -= old.weight();
        }
    }

    synchronized long weight() {
        return weight;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized void clear() {
        entries.clear();
        weight = 0;
    }
}
