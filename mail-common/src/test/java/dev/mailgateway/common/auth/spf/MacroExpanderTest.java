package dev.mailgateway.common.auth.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The macro expander against RFC 7208 section 7.4's examples, byte for byte, and its syntax rules. */
class MacroExpanderTest {

    private static MacroValues values(String client) throws Exception {
        return new MacroValues("strong-bad@email.example.com", "strong-bad", "email.example.com", "email.example.com",
                InetAddress.getByName(client), "mx.example.org", "mx.example.org");
    }

    @Test
    void theSection74Examples() throws Exception {
        MacroValues v4 = values("192.0.2.3");
        String[][] examples = {
            {"%{s}", "strong-bad@email.example.com"},
            {"%{o}", "email.example.com"},
            {"%{d}", "email.example.com"},
            {"%{d4}", "email.example.com"},
            {"%{d3}", "email.example.com"},
            {"%{d2}", "example.com"},
            {"%{d1}", "com"},
            {"%{dr}", "com.example.email"},
            {"%{d2r}", "example.email"},
            {"%{l}", "strong-bad"},
            {"%{l-}", "strong.bad"},
            {"%{lr}", "strong-bad"},
            {"%{lr-}", "bad.strong"},
            {"%{l1r-}", "strong"},
            {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
            {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
            {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
            {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
            {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
        };
        for (String[] example : examples) {
            assertEquals(example[1], MacroExpander.expand(example[0], v4), example[0]);
        }
        assertEquals("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
                MacroExpander.expand("%{ir}.%{v}._spf.%{d2}", values("2001:db8::cb01")));
    }

    @Test
    void escapesUpperCaseLettersAndTheOtherLetters() throws Exception {
        MacroValues v = new MacroValues("a+b c@x.test", "a+b c", "x.test", "y.test", InetAddress.getByName("192.0.2.3"), "helo.test", null);
        assertEquals("a%2Bb%20c", MacroExpander.expand("%{L}", v));
        assertEquals("% %20", MacroExpander.expand("%%%_%-", v));
        assertEquals("helo.test unknown in-addr y.test", MacroExpander.expand("%{h}%_%{p}%_%{v}%_%{d}", v));
        assertEquals("a.b c", MacroExpander.expand("%{l+}", v), "delimiters join with dots");
        assertEquals("x.test", MacroExpander.expand("%{o99999999999}", v), "a huge part count takes every part");
    }

    @Test
    void anExpandedNameIsCutFromTheLeftLabelByLabel() throws Exception {
        String label = "a".repeat(60);
        MacroValues v = new MacroValues(label + "@x.test", label, "x.test", "x.test", InetAddress.getByName("192.0.2.3"), "h.test", null);
        String name = MacroExpander.expandDomain("%{l}.%{l}.%{l}.%{l}.%{l}.trunc.test.", v);
        assertEquals(String.join(".", label, label, label, label, "trunc.test").substring(61), name);
        assertTrue(name.length() <= 253);
        assertEquals("x.test", MacroExpander.expandDomain("x.test.", v), "a trailing dot dropped");
    }

    @Test
    void badMacrosAreSyntaxErrors() {
        for (String bad : List.of("%{x}.test", "%{c}.test", "%{r}.test", "%{t}.test", "%{d0}.test", "%{d", "%", "%a.test",
                "%{d2q}.test", "%{}.test", "a b.test", "caf\u00e9.test")) {
            assertThrows(SpfException.class, () -> MacroExpander.checkMacroString(bad), bad);
        }
    }

    @Test
    void aDomainSpecEndsInATopLabelOrAMacro() throws Exception {
        for (String good : List.of("example.com", "example.com.", "%{d}", "_spf.%{d2}", "x.%%", "a.b-c", "a.x1")) {
            MacroExpander.checkDomainSpec(good);
        }
        for (String bad : List.of("", "localhost", "example.123", "example.com..", "a.-b", "%{d}.", "x.b-")) {
            assertThrows(SpfException.class, () -> MacroExpander.checkDomainSpec(bad), bad);
        }
    }

    @Test
    void aHostileExpansionIsBounded() throws Exception {
        MacroValues v = values("192.0.2.3");
        assertThrows(SpfException.class, () -> MacroExpander.expand("%{s}".repeat(100) + ".test", v));
    }

    @Test
    void tellsWhetherTheValidatedNameIsNeeded() {
        assertTrue(MacroExpander.needsValidatedName("%{p}.test"));
        assertTrue(MacroExpander.needsValidatedName("%{P2}.test"));
        assertFalse(MacroExpander.needsValidatedName("%%{p}.test"));
        assertFalse(MacroExpander.needsValidatedName("%{d}.test"));
    }
}
