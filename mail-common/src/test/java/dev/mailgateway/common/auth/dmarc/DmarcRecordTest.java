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
        assertTrue(DmarcRecord.isDmarcRecord("V=DMARC1; p=none"), "the tag name is a case-insensitive ABNF string");
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
    void anInvalidValueOfAnOptionalTagIsIgnoredForItsDefault() {
        // section 6.3: "... MUST be ignored"; the record stands on v= and p=
        DmarcRecord defaults = parse("v=DMARC1; p=reject");
        assertEquals(defaults, parse("v=DMARC1; p=reject; adkim=x; aspf=; pct=101; fo=2; rf=afrf:; ri=1234567890"));
        assertEquals(defaults, parse("v=DMARC1; p=reject; pct=0100; ri=-1; fo=; rf=:"));
        assertEquals(defaults, parse("v=DMARC1; p=reject; pct=-1; ri=1h; fo=0:x; rf=a_b"));
        DmarcRecord oneBad = parse("v=DMARC1; p=reject; adkim=s; aspf=x; pct=20; fo=nope; rf=afrf; ri=60");
        assertEquals(new DmarcRecord(DmarcPolicy.REJECT, DmarcPolicy.REJECT, Alignment.STRICT, Alignment.RELAXED, 20, "0",
                "afrf", 60, "", ""), oneBad, "each invalid tag falls back alone");
    }

    @Test
    void tagNamesMatchInAnyCase() {
        assertEquals(parse("v=DMARC1; p=reject; sp=none; adkim=s; aspf=s; pct=20; fo=1; rf=afrf; ri=3600; rua=mailto:a@example.org"),
                parse("V=DMARC1; P=reject; SP=none; Adkim=s; ASPF=s; PCT=20; FO=1; RF=afrf; RI=3600; RUA=mailto:a@example.org"));
        assertEquals(Alignment.STRICT, parse("v=DMARC1; P=reject; Aspf=s").spfAlignment());
        assertEquals(DmarcPolicy.NONE, parse("v=DMARC1; P=bogus; RUA=mailto:d@example.org").policy(), "the rua= rule too");
        assertMalformed("v=DMARC1; p=reject; P=none", "Tag p= given twice");
        assertMalformed("v=DMARC1; p=reject; adkim=s; ADKIM=r", "Tag adkim= given twice");
    }

    @Test
    void aRecordThatIsNoTagListIsMalformed() {
        assertMalformed("v=DMARC1; p=reject; p=none", "Tag p= given twice");
        assertMalformed("v=DMARC1; p=reject; x", "Tag without '=' in tag list");
        assertMalformed("v=DMARC1; p=reject;; adkim=s", "Empty tag in tag list");
        assertMalformed("v=DMARC1; p=reject; 1x=y", "Malformed tag name in tag list");
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
