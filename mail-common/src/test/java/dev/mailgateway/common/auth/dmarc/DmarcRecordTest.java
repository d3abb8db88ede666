package dev.mailgateway.common.auth.dmarc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.auth.TagList;

/** The record grammar of RFC 7489 section 6.4, one rule per assertion. */
class DmarcRecordTest {

    @Test
    void defaultsFillWhatARecordLeavesOut() {
        assertEquals(new DmarcRecord(DmarcPolicy.QUARANTINE, DmarcPolicy.QUARANTINE, Alignment.RELAXED, Alignment.RELAXED,
                100, "0", "afrf", 86_400, "", ""), parse("v=DMARC1; p=quarantine"));
    }

    @Test
    void everyTagIsRead() {
        assertEquals(new DmarcRecord(DmarcPolicy.REJECT, DmarcPolicy.NONE, Alignment.STRICT, Alignment.STRICT, 20, "1:d",
                "afrf", 3600, "mailto:a@example.org!10m, mailto:b@example.org", "mailto:f@example.org"),
                parse("v=DMARC1;p=reject; sp=none; adkim=s; aspf=S; pct=20; fo=1:d; rf=afrf; ri=3600;"
                        + " rua=mailto:a@example.org!10m, mailto:b@example.org; ruf=mailto:f@example.org; future=1;"));
    }

    @Test
    void onlyARecordStartingWithTheVersionIsOne() {
        assertTrue(DmarcRecord.isDmarcRecord("v=DMARC1"));
        assertTrue(DmarcRecord.isDmarcRecord("v = DMARC1 ;p=none"));
        assertFalse(DmarcRecord.isDmarcRecord("p=none; v=DMARC1"), "v= must come first (section 6.4)");
        assertFalse(DmarcRecord.isDmarcRecord("v=DMARC10; p=none"));
        assertFalse(DmarcRecord.isDmarcRecord("v=dmarc1; p=none"), "the version is a case-sensitive %x string");
        assertFalse(DmarcRecord.isDmarcRecord(" v=DMARC1; p=none"));
        assertFalse(DmarcRecord.isDmarcRecord("v=spf1 -all"));
    }

    @Test
    void withoutAValidPolicyOnlyAReportAddressKeepsDmarcOn() {
        DmarcRecord reportOnly = parse("v=DMARC1; p=bogus; adkim=s; pct=5; rua=mailto:d@example.org");
        assertEquals(DmarcPolicy.NONE, reportOnly.policy());
        assertEquals(Alignment.RELAXED, reportOnly.dkimAlignment(), "as if the record were v=DMARC1; p=none");
        assertEquals(100, reportOnly.percent());
        assertEquals(DmarcPolicy.NONE, parse("v=DMARC1; p=reject; sp=bogus; rua=mailto:d@example.org").policy(), "an invalid sp= too");
        assertEquals(Optional.empty(), DmarcRecord.parse("v=DMARC1; p=bogus"));
        assertEquals(Optional.empty(), DmarcRecord.parse("v=DMARC1; sp=reject; rua=not a uri"));
        assertEquals(Optional.empty(), DmarcRecord.parse("v=DMARC1; rua=relative/path!5k"));
    }

    @Test
    void invalidValuesMakeTheRecordMalformed() {
        assertMalformed("v=DMARC1; p=reject; adkim=x", "Tag adkim= is not r or s");
        assertMalformed("v=DMARC1; p=reject; aspf=", "Tag aspf= is not r or s");
        assertMalformed("v=DMARC1; p=reject; pct=101", "Tag pct= is not a number from 0 to 100");
        assertMalformed("v=DMARC1; p=reject; pct=0100", "Tag pct= is not a number from 0 to 100");
        assertMalformed("v=DMARC1; p=reject; pct=-1", "Tag pct= is not a number from 0 to 100");
        assertMalformed("v=DMARC1; p=reject; fo=2", "Tag fo= is malformed");
        assertMalformed("v=DMARC1; p=reject; rf=afrf:", "Tag rf= is malformed");
        assertMalformed("v=DMARC1; p=reject; ri=1234567890", "Tag ri= is not a number of at most 9 digits");
        assertMalformed("v=DMARC1; p=reject; p=none", "Tag p= given twice");
        assertMalformed("v=DMARC1; p=reject; x", "Tag without '=' in tag list");
    }

    @Test
    void hostileRecordsAreBoundedAndRefusedWithoutAnError() {
        assertMalformed("v=DMARC1; p=reject; rua=" + "m".repeat(TagList.MAX_LENGTH), "Tag list over " + TagList.MAX_LENGTH + " octets");
        StringBuilder many = new StringBuilder("v=DMARC1; p=reject");
        for (int i = 0; i < TagList.MAX_TAGS; i++) {
            many.append("; t").append(i).append("=1");
        }
        assertMalformed(many.toString(), "Tag list over " + TagList.MAX_TAGS + " tags");
        // a long colon list is checked item by item: no regular expression recursing per item
        String longList = "v=DMARC1; p=reject; fo=" + "0:".repeat(7000) + "1";
        assertEquals("0:".repeat(7000) + "1", parse(longList).failureOptions());
        assertMalformed("v=DMARC1; p=reject\u0000", "Control character in tag value");
    }

    private static DmarcRecord parse(String txt) {
        assertTrue(DmarcRecord.isDmarcRecord(txt));
        return DmarcRecord.parse(txt).orElseThrow();
    }

    private static void assertMalformed(String txt, String reason) {
        assertEquals(reason, assertThrows(DmarcFormatException.class, () -> DmarcRecord.parse(txt)).getMessage());
    }
}
