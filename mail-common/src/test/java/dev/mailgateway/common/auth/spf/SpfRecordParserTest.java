package dev.mailgateway.common.auth.spf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.auth.spf.SpfRecord.Directive;
import dev.mailgateway.common.auth.spf.SpfRecord.Mechanism;
import dev.mailgateway.common.auth.spf.SpfRecord.Qualifier;

/** The record parser: one test per rule of RFC 7208 sections 4.5, 4.6.1, 5 and 6, good and bad. */
class SpfRecordParserTest {

    @Test
    void selectsRecordsByTheirVersion() {
        assertTrue(SpfRecordParser.isSpfRecord("v=spf1"));
        assertTrue(SpfRecordParser.isSpfRecord("V=SPF1 -all"));
        assertFalse(SpfRecordParser.isSpfRecord("v=spf10 -all"));
        assertFalse(SpfRecordParser.isSpfRecord("v=spf1-all"));
        assertFalse(SpfRecordParser.isSpfRecord(" v=spf1 -all"));
        assertFalse(SpfRecordParser.isSpfRecord("spf2.0/pra -all"));
    }

    @Test
    void parsesEveryMechanismWithQualifiersAndCidrLengths() throws Exception {
        SpfRecord record = SpfRecordParser.parse("v=spf1  +a -mx:%{d}/24 ~ptr ?ip4:192.0.2.0/24 ip6:2001:DB8::/32 "
                + "include:_spf.example.com exists:%{ir}.x.test A:mail.example.com//64 mx/20//48 IP4:192.0.2.7 -ALL");
        List<Directive> d = record.directives();
        assertEquals(11, d.size());
        assertEquals(List.of(Mechanism.A, Mechanism.MX, Mechanism.PTR, Mechanism.IP4, Mechanism.IP6, Mechanism.INCLUDE,
                Mechanism.EXISTS, Mechanism.A, Mechanism.MX, Mechanism.IP4, Mechanism.ALL), d.stream().map(Directive::mechanism).toList());
        assertEquals(List.of(Qualifier.PASS, Qualifier.FAIL, Qualifier.SOFTFAIL, Qualifier.NEUTRAL), d.subList(0, 4).stream()
                .map(Directive::qualifier).toList());
        assertNull(d.get(0).domainSpec());
        assertEquals("%{d}", d.get(1).domainSpec());
        assertEquals(24, d.get(1).ip4Prefix());
        assertEquals(128, d.get(1).ip6Prefix());
        assertArrayEquals(InetAddress.getByName("192.0.2.0").getAddress(), d.get(3).network());
        assertEquals(24, d.get(3).ip4Prefix());
        assertEquals(32, d.get(4).ip6Prefix());
        assertEquals("mail.example.com", d.get(7).domainSpec());
        assertEquals(32, d.get(7).ip4Prefix());
        assertEquals(64, d.get(7).ip6Prefix());
        assertEquals(20, d.get(8).ip4Prefix());
        assertEquals(48, d.get(8).ip6Prefix());
        assertEquals(32, d.get(9).ip4Prefix());
        assertTrue(record.hasAll());
    }

    @Test
    void readsRedirectAndExpAndIgnoresUnknownModifiers() throws Exception {
        SpfRecord record = SpfRecordParser.parse("v=spf1 mx moo=bar%{d} redirect=_spf.%{d} exp=explain.example.com x-y.z=");
        assertEquals("_spf.%{d}", record.redirect());
        assertEquals("explain.example.com", record.explanation());
        assertEquals(1, record.directives().size());
        assertFalse(record.hasAll());
        assertTrue(SpfRecordParser.parse("v=spf1").directives().isEmpty());
    }

    @Test
    void syntaxErrorsAnywhereArePermerrors() {
        for (String bad : List.of("v=spf1 foo", "v=spf1 -all:x", "v=spf1 ip4:192.0.2", "v=spf1 ip4:192.0.2.256",
                "v=spf1 ip4:192.0.02.1", "v=spf1 ip4:192.0.2.0/33", "v=spf1 ip4:192.0.2.0/024", "v=spf1 ip4:192.0.2.0//64",
                "v=spf1 ip6:2001:db8::/129", "v=spf1 ip6:192.0.2.1", "v=spf1 ip6:2001:db8::zz", "v=spf1 ip6:[::1]",
                "v=spf1 ip6:fe80::1%eth0", "v=spf1 a:", "v=spf1 a:localhost", "v=spf1 a/33", "v=spf1 a//129", "v=spf1 a/x",
                "v=spf1 include", "v=spf1 include:%{z}.test", "v=spf1 exists", "v=spf1 ptr/24", "v=spf1 =a",
                "v=spf1 redirect=a.test redirect=b.test", "v=spf1 exp=a.test exp=b.test", "v=spf1 exp=", "v=spf1 redirect=x",
                "v=spf1 moo=%x", "v=spf1 ip4:192.0.2.1\t-all", "v=spf1 -all ip4:192.0.2.1 a:x.123")) {
            SpfException e = assertThrows(SpfException.class, () -> SpfRecordParser.parse(bad), bad);
            assertEquals(SpfResult.Status.PERMERROR, e.status(), bad);
        }
    }

    @Test
    void aHostileRecordIsBoundedBeforeItsTermsAreRead() {
        assertThrows(SpfException.class, () -> SpfRecordParser.parse("v=spf1" + " ip4:192.0.2.1".repeat(300)));
        assertThrows(SpfException.class, () -> SpfRecordParser.parse("v=spf1 " + "a".repeat(SpfRecordParser.MAX_RECORD_OCTETS)));
    }
}
