package dev.mailgateway.common.auth.dkim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key records already parsed, by their text: one sender's key verifies thousands of messages, and
 * decoding an RSA key costs about as much as verifying with it. Strangers publish the records, so the
 * cache is bounded in entries and each record's length, and starts over when full; the text, not the
 * name, is the key, so a record changed in DNS is parsed anew.
 */
final class KeyRecords {

    /** Records kept: a gateway's regular senders, a few hundred keys. */
    static final int MAX_ENTRIES = 512;
    /** Longest record kept: an RSA key of 8192 bits ({@link DkimVerifier#MAX_RSA_BITS}) with a few tags. */
    static final int MAX_TEXT = 1600;

    private final Map<String, DkimKeyRecord> parsed = new ConcurrentHashMap<>();

    /** @throws DkimFormatException as {@link DkimKeyRecord#parse} */
    DkimKeyRecord parse(String txt) {
        DkimKeyRecord known = parsed.get(txt);
        if (known != null) {
            return known;
        }
        DkimKeyRecord record = DkimKeyRecord.parse(txt);
        if (txt.length() <= MAX_TEXT) {
            if (parsed.size() >= MAX_ENTRIES) {
                parsed.clear();
            }
            parsed.put(txt, record);
        }
        return record;
    }
}
