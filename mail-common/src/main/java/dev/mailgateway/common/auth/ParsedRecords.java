package dev.mailgateway.common.auth;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * DNS records already parsed, by their text: one sender's SPF record, DKIM key and DMARC policy serve
 * thousands of messages, and parsing them again for each (decoding an RSA key costs about as much as
 * verifying with it) is most of what the checks cost once DNS answers from the cache. Strangers publish
 * the records, so the cache is bounded in entries and in each record's length; when full, one entry chosen at random
 * makes room for the next, so a stranger's flood of new records costs the rest a miss now and then, not
 * all of them at once; the text, not the name, is the key, so a record changed in DNS is parsed anew. Records that do
 * not parse are not kept: the caller parses them again, and fails again. (DMARC also keeps the
 * organizational domains of names here: a lookup in the Public Suffix List, by the name's text.)
 */
public final class ParsedRecords<T> {

    /** Records kept: a gateway's regular senders, a few hundred of each kind. */
    public static final int MAX_ENTRIES = 512;
    /** Longest record kept: an RSA key of 8192 bits with a few tags, or any SPF or DMARC record of sense. */
    public static final int MAX_TEXT = 1600;

    private final Map<String, T> parsed = new ConcurrentHashMap<>();

    /** Parses a record's text; its failure is the parser's own exception. */
    @FunctionalInterface
    public interface Parser<T, E extends Exception> {
        /** @return the record, or null for a text that is not one (nothing is kept then) */
        T parse(String text) throws E;
    }

    /** What {@code text} parsed to before, or what {@code parser} makes of it now, kept for the next time. */
    public <E extends Exception> T parse(String text, Parser<T, E> parser) throws E {
        T known = parsed.get(text);
        if (known != null) {
            return known;
        }
        T record = parser.parse(text);
        if (record != null && text.length() <= MAX_TEXT) {
            // full: one entry chosen at random makes room, so a flood of new records cannot keep the
            // same old ones out while its own stay
            Iterator<String> any = parsed.keySet().iterator();
            while (parsed.size() >= MAX_ENTRIES && any.hasNext()) {
                for (int skip = ThreadLocalRandom.current().nextInt(MAX_ENTRIES); skip > 0 && any.hasNext(); skip--) {
                    any.next();
                }
                if (any.hasNext()) {
                    any.next();
                    any.remove();
                }
            }
            parsed.put(text, record);
        }
        return record;
    }
}
