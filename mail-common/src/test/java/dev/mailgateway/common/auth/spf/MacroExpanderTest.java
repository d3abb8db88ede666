package dev.mailgateway.common.auth.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collections;
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
    void everyPartIsKeptWithoutACountAndACountOver127IsHonoured() throws Exception {
        List<String> labels = Collections.nCopies(200, "x");
        String domain = String.join(".", labels);
        MacroValues v = new MacroValues("a@" + domain, "a", domain, domain, InetAddress.getByName("192.0.2.3"), "h.test", null);
        assertEquals(domain, MacroExpander.expand("%{d}", v), "no digit: all 200 parts, not 127");
        assertEquals(domain, MacroExpander.expand("%{dr}", v));
        assertEquals(String.join(".", labels.subList(0, 150)), MacroExpander.expand("%{d150}", v), "section 7.3: at least 127");
        assertEquals(domain, MacroExpander.expand("%{d201}", v), "more than there are: all of them");
    }

    @Test
    void onlyAsciiDigitsCountParts() {
        // U+0661 ARABIC-INDIC DIGIT ONE and U+FF11 FULLWIDTH DIGIT ONE are digits to Character.isDigit
        for (String bad : List.of("%{d\u0661}.test", "%{d\uff11}.test", "%{d2\u0661}.test")) {
            assertThrows(SpfException.class, () -> MacroExpander.checkMacroString(bad), bad);
        }
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
        for (String good : List.of("example.com", "example.com.", "%{d}", "_spf.%{d2}", "x.%%", "a.b-c", "a.x1", "a.1x",
                "a.COM", "%{d}.com", "a.1-2", "a.a--b", "a.0-x.", ".x", "%{d}.x.")) {
            MacroExpander.checkDomainSpec(good);
        }
        for (String bad : List.of("", "localhost", "example.123", "example.com..", "a.-b", "%{d}.", "x.b-", "a.-", "a.1",
                "a.", ".", "..", "%{d}com", "a.b_c", "a.b!", "a.1-", "a.-1", "a.b.-", "a.com-.")) {
            assertThrows(SpfException.class, () -> MacroExpander.checkDomainSpec(bad), bad);
        }
    }

    @Test
    void aHostileDomainSpecIsJudgedInLinearTime() {
        // each once took time quadratic in its length in a backtracking regular expression
        int n = 100_000;
        List<String> hostile = List.of("." + "a".repeat(n) + "!", "a." + "1".repeat(n) + "-", "." + "a-".repeat(n / 2) + "!",
                "x." + "a".repeat(n) + "..", ".a".repeat(n / 2) + "!", "%{d}." + "0".repeat(n));
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (String spec : hostile) {
                assertThrows(SpfException.class, () -> MacroExpander.checkDomainSpec(spec));
            }
            MacroExpander.checkDomainSpec("x." + "a".repeat(n));
            MacroExpander.checkDomainSpec("x." + "a-".repeat(n / 2) + "b.");
        });
    }

    @Test
    void aLongExpansionIsCutNotRefused() throws Exception {
        MacroValues v = values("192.0.2.3");
        // 100 times 28 characters: over 253 and over the old 1012-character refusal, under 8 KiB
        String name = MacroExpander.expandDomain("%{s}.".repeat(100) + "cut.test", v);
        assertTrue(name.length() <= MacroExpander.MAX_DOMAIN, name);
        assertTrue(name.endsWith(".strong-bad@email.example.com.cut.test"), name);
        assertEquals("example.com.cut.test", name.substring(name.length() - 20));
        String whole = MacroExpander.expand("%{s}.".repeat(100) + "cut.test", v);
        int cut = whole.length() - name.length() - 1;
        assertTrue(whole.endsWith(name) && whole.charAt(cut) == '.', "cut at a dot");
        assertTrue(whole.length() - whole.lastIndexOf('.', cut - 1) - 1 > MacroExpander.MAX_DOMAIN, "one label more would not fit");
    }

    @Test
    void aHostileExpansionIsBounded() throws Exception {
        MacroValues v = values("192.0.2.3");
        assertThrows(SpfException.class, () -> MacroExpander.expand("%{s}".repeat(300) + ".test", v), "8400 characters");
        assertThrows(SpfException.class, () -> MacroExpander.expandDomain("%{S}.".repeat(300) + "test", v), "escaped, 9300");
        assertThrows(SpfException.class, () -> MacroExpander.expandDomain("a." + "%{l}".repeat(30), v),
                "a last label of 300 characters: no dot to cut at");
    }

    @Test
    void tellsWhetherTheValidatedNameIsNeeded() {
        assertTrue(MacroExpander.needsValidatedName("%{p}.test"));
        assertTrue(MacroExpander.needsValidatedName("%{P2}.test"));
        assertFalse(MacroExpander.needsValidatedName("%%{p}.test"));
        assertFalse(MacroExpander.needsValidatedName("%{d}.test"));
    }
}
