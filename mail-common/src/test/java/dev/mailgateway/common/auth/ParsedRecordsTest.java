package dev.mailgateway.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ParsedRecordsTest {

    @Test
    void keepsRecordsUpToItsBounds_andMakesRoomOneAtATime() {
        ParsedRecords<Integer> records = new ParsedRecords<>();
        for (int i = 0; i < ParsedRecords.MAX_ENTRIES; i++) {
            records.put("v=spf1 ip4:192.0.2." + i + " -all", i);
        }
        assertEquals(7, records.get("v=spf1 ip4:192.0.2.7 -all"));
        records.put("v=spf1 a -all", -1);
        int kept = 0;
        for (int i = 0; i < ParsedRecords.MAX_ENTRIES; i++) {
            kept += records.get("v=spf1 ip4:192.0.2." + i + " -all") == null ? 0 : 1;
        }
        assertEquals(ParsedRecords.MAX_ENTRIES - 1, kept, "a full cache gives up one entry for a new one, not all");
        assertEquals(-1, records.get("v=spf1 a -all"));

        String huge = "v=spf1 " + "a ".repeat(ParsedRecords.MAX_TEXT) + "-all";
        assertEquals(1, records.put(huge, 1), "handed back");
        assertNull(records.get(huge), "but a record over MAX_TEXT is not kept");
    }
}
