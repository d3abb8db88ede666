package dev.mailgateway.common.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XtextTest {

    @Test
    void printableXtextIsAccepted() {
        assertTrue(Xtext.isPrintable("alice+40example.org"));
        assertTrue(Xtext.isPrintable("track+2B1"));
        assertTrue(Xtext.isPrintable(""));
    }

    @Test
    void whatRfc3461ForbidsIsRefused() {
        assertFalse(Xtext.isPrintable("a=b"), "'=' only as +3D");
        assertFalse(Xtext.isPrintable("a b"), "no space");
        assertFalse(Xtext.isPrintable("caf\u00e9"), "no 8-bit");
        assertFalse(Xtext.isPrintable("a+4"), "a '+' needs two hex digits");
        assertFalse(Xtext.isPrintable("a+"), "a '+' at the end");
        assertFalse(Xtext.isPrintable("a+4a"), "upper-case hex only");
    }

    @Test
    void encodedOctetsMustBePrintableToo() {
        assertFalse(Xtext.isPrintable("x+0D+0ABcc:+20y"), "a line break would go into the report that echoes it");
        assertFalse(Xtext.isPrintable("x+7F"), "DEL");
        assertFalse(Xtext.isPrintable("x+C3+A9"), "8-bit octets");
        assertTrue(Xtext.isPrintable("x+20y+7E"), "space and tilde are printable");
    }

    @Test
    void decodingGivesTheText() {
        assertEquals("alice@example.org", Xtext.decode("alice+40example.org"));
        assertEquals("track+1", Xtext.decode("track+2B1"));
        assertEquals("caf\u00e9", Xtext.decode("caf+C3+A9"), "octets read as UTF-8");
    }

    @Test
    void decodingIsLenientWithValuesStoredBeforeTheyWereChecked() {
        assertEquals("a+", Xtext.decode("a+"));
        assertEquals("a+4", Xtext.decode("a+4"));
        assertEquals("a=b", Xtext.decode("a+3db"), "lower-case hex");
    }
}
