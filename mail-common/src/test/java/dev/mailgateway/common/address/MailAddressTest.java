package dev.mailgateway.common.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The address model: domains in A-labels, lengths in octets after normalisation, and what it refuses, by kind. */
class MailAddressTest {

    private static final String E_ACUTE = "\u00e9";
    private static final String DOTTED_CAPITAL_I = "\u0130";

    @Test
    void domainsAreKeptInLowerCaseALabels() {
        assertEquals("xn--bcher-kva.example", MailAddress.parse("x@b\u00fccher.example").domain());
        assertEquals("xn--bcher-kva.example", MailAddress.parse("x@B\u00dcCHER.Example").domain());
        assertEquals("xn--bcher-kva.example", MailAddress.parse("x@XN--BCHER-KVA.example").domain());
        // IDNA2003's other dots separate labels too
        assertEquals("xn--bcher-kva.example", MailAddress.parse("x@b\u00fccher\u3002example").domain());
        assertEquals("J\u00f6rg@xn--bcher-kva.example", MailAddress.parse("J\u00f6rg@b\u00fccher.example").toString());
        assertEquals("j\u00f6rg@xn--bcher-kva.example", MailAddress.parse("J\u00f6rg@b\u00fccher.example").mailboxKey());
    }

    @Test
    void theModelsFormParsesToItself() {
        for (String given : new String[] {"\"john doe\"@Remote.TEST", "x@b\u00fccher.example", "\"a\\\"b\"@example.test", "J\u00f6rg@example.test"}) {
            MailAddress once = MailAddress.parse(given);
            assertEquals(once, MailAddress.parse(once.toString()), given);
        }
    }

    @Test
    void aLabelGrownPast63OctetsByConversionIsADomainRefusal() {
        // the issue's address: 60 U+00E9 fit as a U-label, not as an A-label
        assertDomainRefused("x@" + E_ACUTE.repeat(60) + ".com");
        // 63 characters before conversion, more after
        assertDomainRefused("x@" + "a".repeat(62) + E_ACUTE + ".example");
        // U+0130 is folded to two characters by IDNA's case mapping
        assertDomainRefused("bob@" + DOTTED_CAPITAL_I.repeat(32) + ".example");
        assertDomainRefused("x@" + "a".repeat(64) + ".example");
    }

    @Test
    void invalidALabelsAndDeviationsAreDomainRefusals() {
        // a character newer than Unicode 3.2 (U+1F4A9); does not decode at all; a valid IDNA2008 label (ß) that IDNA2003
        // would re-encode as "ss"
        for (String domain : new String[] {"xn--ls8h.example", "xn--99999999999999a.example", "xn--zca.example",
                "stra\u00dfe.example", "a\u200db.example", "xn--b\u00fccher.example"}) {
            assertDomainRefused("x@" + domain);
        }
    }

    @Test
    void addressLiteralsAreNotRouted() {
        assertDomainRefused("x@[192.0.2.1]");
        assertDomainRefused("x@[IPv6:2001:db8::1]");
    }

    @Test
    void caseFoldingCountsInTheLocalPartsLength() {
        // 21 U+0130: 42 octets as given, 63 once lower-cased (i and U+0307 each)
        MailAddress fits = MailAddress.parse(DOTTED_CAPITAL_I.repeat(21) + "@example.test");
        assertEquals(63, fits.mailboxKey().substring(0, fits.mailboxKey().indexOf('@')).getBytes(StandardCharsets.UTF_8).length);
        // 32 of them: 64 octets as given, 96 lower-cased
        assertSyntaxRefused(DOTTED_CAPITAL_I.repeat(32) + "@example.test");
        // octets, not characters: 33 two-octet characters
        assertSyntaxRefused(E_ACUTE.repeat(33) + "@example.test");
    }

    @Test
    void thePathLimitHoldsForTheNormalisedForm() {
        String local = "l".repeat(64);
        // 2 + 64 + 1 + 189 = 256 octets: the longest path
        String domain = ("d".repeat(62) + ".").repeat(2) + "d".repeat(63);
        assertEquals(189, domain.length());
        assertEquals(local + "@" + domain, MailAddress.parse(local + "@" + domain).toString());
        assertSyntaxRefused(local + "@" + ("d".repeat(62) + ".").repeat(2) + "d".repeat(61) + ".dd");
        // a U-label domain measured as its A-labels: 63 octets, not the 57 given
        String idn = E_ACUTE + "d".repeat(55);
        assertEquals(63, java.net.IDN.toASCII(idn).length());
        assertSyntaxRefused(local + "@" + (idn + ".").repeat(2) + "d".repeat(62));
    }

    @Test
    void syntaxRefusals() {
        assertSyntaxRefused("a\ud83d@example.test");
        for (String bad : new String[] {"x", "@example.test", "x@", "a..b@example.test", "\"a\rb\"@example.test", "a b@example.test",
                "x@exa mple.test", "x@-example.test", "x@example..test", "x@example.test.", "x@exa_mple.test"}) {
            assertSyntaxRefused(bad);
        }
    }

    private static void assertDomainRefused(String address) {
        assertEquals(AddressException.Kind.DOMAIN, assertThrows(AddressException.class, () -> MailAddress.parse(address), address).kind(), address);
    }

    private static void assertSyntaxRefused(String address) {
        assertEquals(AddressException.Kind.SYNTAX, assertThrows(AddressException.class, () -> MailAddress.parse(address), address).kind(), address);
    }
}
