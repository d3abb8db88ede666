package dev.mailgateway.common.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MailPathTest {

    @Test
    void parsesMailboxAndLowerCasesDomain() {
        MailAddress address = MailPath.parse("<Alice.Smith@Example.TEST>").address().orElseThrow();
        assertEquals("Alice.Smith", address.localPart());
        assertEquals("example.test", address.domain());
        assertEquals("alice.smith@example.test", address.mailboxKey());
    }

    @Test
    void nullPathAndPostmaster() {
        assertTrue(MailPath.parse("<>").isNull());
        assertTrue(MailPath.parse("<postMaster>").postmaster());
    }

    @Test
    void sourceRouteIsIgnored() {
        assertEquals("bob@example.test", MailPath.parse("<@relay.example,@other.example:bob@example.test>").address().orElseThrow().toString());
    }

    @Test
    void aSourceRouteIsDomains() {
        for (String bad : new String[] {"<@relay\r.example:bob@example.test>", "<@relay.example,other.example:bob@example.test>", "<@:bob@example.test>",
                "<@relay.example,:bob@example.test>"}) {
            assertThrows(AddressException.class, () -> MailPath.parse(bad), bad);
        }
    }

    @Test
    void nonAsciiTextPassesButNoControlCharacter() {
        assertEquals("j\u00f6rg@xn--bcher-kva.example", MailPath.parse("<j\u00f6rg@b\u00fccher.example>").address().orElseThrow().toString());
        assertEquals("\"j\u00f6 rg\"", MailPath.parse("<\"j\u00f6 rg\"@example.test>").address().orElseThrow().localPart());
        for (String bad : new String[] {"<a\rb@example.test>", "<a\nb@example.test>", "<a\tb@example.test>", "<a\u0000b@example.test>",
                "<a\u007fb@example.test>", "<a\u0085b@example.test>", "<\"a\rb\"@example.test>", "<\"a\u0085b\"@example.test>",
                "<\"a\\\rb\"@example.test>", "<\"a\u007f\"@example.test>", "<a@exa\u0085mple.test>", "<a@example.test\r>",
                "<a@[192.0.2.1\r]>"}) {
            assertThrows(AddressException.class, () -> MailPath.parse(bad), bad);
            assertThrows(AddressException.class, () -> MailAddress.parse(bad.substring(1, bad.length() - 1)), bad);
        }
    }

    @Test
    void quotedLocalPartStaysAsGiven() {
        MailAddress address = MailPath.parse("<\"John Doe\"@Remote.TEST>").address().orElseThrow();
        assertEquals("\"John Doe\"", address.localPart());
        assertEquals("\"john doe\"@remote.test", address.mailboxKey());
    }

    @Test
    void rejectsMalformedPaths() {
        for (String bad : new String[] {"alice@example.test", "<alice>", "<@example.test>", "<alice@>", "<a..b@example.test>",
                "<alice@exa mple.test>", "<alice@-example.test>", "<" + "x".repeat(65) + "@example.test>", "<a@b"}) {
            assertThrows(AddressException.class, () -> MailPath.parse(bad), bad);
        }
        assertThrows(AddressException.class, () -> MailPath.parse("<" + "a".repeat(250) + "@example.test>"));
    }
}
