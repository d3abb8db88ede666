package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class EsmtpParametersTest {

    @Test
    void sizeIsAsciiDigits() {
        assertEquals("0", EsmtpParameters.normalized("SIZE", "0"));
        assertEquals("1000", EsmtpParameters.normalized("SIZE", "0001000"));
        assertEquals(String.valueOf(Long.MAX_VALUE), EsmtpParameters.normalized("SIZE", "99999999999999999999"), "20 digits: too big anyway");
        assertEquals("1", EsmtpParameters.normalized("SIZE", "00000000000000000001"));
        assertNull(EsmtpParameters.normalized("SIZE", "123456789012345678901"), "over 1*20DIGIT");
        assertNull(EsmtpParameters.normalized("SIZE", ""));
        assertNull(EsmtpParameters.normalized("SIZE", "+5"));
        assertNull(EsmtpParameters.normalized("SIZE", "-5"));
        assertNull(EsmtpParameters.normalized("SIZE", "1\r0"));
        assertNull(EsmtpParameters.normalized("SIZE", "\u0661\u0662"), "Arabic-Indic digits, which Long.parseLong takes");
    }

    @Test
    void keywordValuesAreAsciiWords() {
        assertEquals("8BITMIME", EsmtpParameters.normalized("BODY", "8bitmime"));
        assertEquals("HDRS", EsmtpParameters.normalized("RET", "hdrs"));
        assertEquals("", EsmtpParameters.normalized("SMTPUTF8", ""));
        assertNull(EsmtpParameters.normalized("BODY", "8b\u0131tm\u0131me"), "a dotless i upper-cases to I: still no match");
        assertNull(EsmtpParameters.normalized("BODY", "8BITMIME\r"));
        assertNull(EsmtpParameters.normalized("RET", "FULL\0"));
        assertNull(EsmtpParameters.normalized("SMTPUTF8", "\u0085"));
        assertNull(EsmtpParameters.normalized("FROB", "1"));
    }

    @Test
    void notifyIsNeverOrAListOfEachOnce() {
        assertEquals("NEVER", EsmtpParameters.normalized("NOTIFY", "never"));
        assertEquals("FAILURE,DELAY", EsmtpParameters.normalized("NOTIFY", "failure,delay"));
        assertNull(EsmtpParameters.normalized("NOTIFY", "NEVER,SUCCESS"));
        assertNull(EsmtpParameters.normalized("NOTIFY", "SUCCESS,SUCCESS"));
        assertNull(EsmtpParameters.normalized("NOTIFY", "SUCCESS\rX"));
        assertNull(EsmtpParameters.normalized("NOTIFY", "\u017fuccess"), "a long s upper-cases to S: still no match");
    }

    @Test
    void envidIsXtextOfPrintableText() {
        assertEquals("QQ+2B1", EsmtpParameters.normalized("ENVID", "QQ+2B1"));
        assertEquals("a+20b+7E", EsmtpParameters.normalized("ENVID", "a+20b+7E"), "space and tilde: printable");
        assertNull(EsmtpParameters.normalized("ENVID", "a+0D+0AX-Injected:+20yes"), "an encoded line break");
        assertNull(EsmtpParameters.normalized("ENVID", "a+09b"), "an encoded TAB");
        assertNull(EsmtpParameters.normalized("ENVID", "a+7Fb"), "an encoded DEL");
        assertNull(EsmtpParameters.normalized("ENVID", "a+C3+A9"), "encoded 8-bit octets");
        assertNull(EsmtpParameters.normalized("ENVID", "a\rb"));
        assertNull(EsmtpParameters.normalized("ENVID", "a=b"));
        assertNull(EsmtpParameters.normalized("ENVID", "a+0d"), "hex digits are upper-case");
        assertNull(EsmtpParameters.normalized("ENVID", "a+4"));
        assertNull(EsmtpParameters.normalized("ENVID", "x".repeat(EsmtpParameters.MAX_ENVID + 1)));
    }

    @Test
    void orcptIsAnAtomAndXtextOfPrintableText() {
        assertEquals("rfc822;alice+40example.test", EsmtpParameters.normalized("ORCPT", "rfc822;alice+40example.test"));
        assertNull(EsmtpParameters.normalized("ORCPT", "rfc822;a+0D+0Ab@example.test"));
        assertNull(EsmtpParameters.normalized("ORCPT", "rfc\r822;a@example.test"));
        assertNull(EsmtpParameters.normalized("ORCPT", "rfc822;a\u0085b@example.test"));
        assertNull(EsmtpParameters.normalized("ORCPT", "alice@example.test"), "no addr-type");
        assertNull(EsmtpParameters.normalized("ORCPT", "rfc822;"));
        assertNull(EsmtpParameters.normalized("ORCPT", "rfc822;" + "x".repeat(EsmtpParameters.MAX_ORCPT)));
    }
}
