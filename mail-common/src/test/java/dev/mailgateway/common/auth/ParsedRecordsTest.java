package dev.mailgateway.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** A bounded cache of parsed DNS records: each text parsed once while kept, never more than its bound kept. */
class ParsedRecordsTest {

    private final AtomicInteger parses = new AtomicInteger();

    private Integer parse(ParsedRecords<Integer> records, String text, Integer value) {
        return records.parse(text, t -> {
            parses.incrementAndGet();
            return value;
        });
    }

    @Test
    void aKeptRecordIsNotParsedAgain() {
        ParsedRecords<Integer> records = new ParsedRecords<>();
        assertEquals(7, parse(records, "v=spf1 -all", 7));
        assertEquals(7, parse(records, "v=spf1 -all", 8));
        assertEquals(1, parses.get());
    }

    @Test
    void aFullCacheGivesUpOneEntryForANewOneNotAll() {
        ParsedRecords<Integer> records = new ParsedRecords<>();
        for (int i = 0; i < ParsedRecords.MAX_ENTRIES; i++) {
            parse(records, "v=spf1 ip4:192.0.2." + i + " -all", i);
        }
        parse(records, "v=spf1 a -all", -1);
        parses.set(0);
        // a parser that finds no record looks up without keeping anything, so the count is not disturbed
        for (int i = 0; i < ParsedRecords.MAX_ENTRIES; i++) {
            parse(records, "v=spf1 ip4:192.0.2." + i + " -all", null);
        }
        assertEquals(1, parses.get(), "one of the old records was given up for the new one, the others kept");
        assertEquals(-1, parse(records, "v=spf1 a -all", null));
    }

    @Test
    void nothingIsKeptForATextThatIsNoRecordOrTooLong() {
        ParsedRecords<Integer> records = new ParsedRecords<>();
        assertNull(parse(records, "not a record", null));
        assertNull(parse(records, "not a record", null));
        String longest = "x".repeat(ParsedRecords.MAX_TEXT + 1);
        parse(records, longest, 1);
        parse(records, longest, 1);
        assertEquals(4, parses.get());
    }
}
