package dev.mailgateway.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.auth.spf.SpfResult;
import dev.mailgateway.common.auth.spf.SpfResult.Identity;
import dev.mailgateway.common.auth.dkim.DkimResult;
import dev.mailgateway.common.auth.dkim.DkimResult.Status;
import dev.mailgateway.common.auth.dmarc.DmarcPolicy;
import dev.mailgateway.common.auth.dmarc.DmarcResult;
import dev.mailgateway.common.auth.dmarc.DmarcResult.Result;

/** The field as written, byte for byte, and the authserv-id as read from fields that arrive. */
class AuthenticationResultsTest {

    private static final String US = "mx.example.net";

    // ---- writing

    @Test
    void allThreeMethodsFoldedAt78Columns() {
        String field = ours(new SpfResult(SpfResult.Status.PASS, Identity.MAILFROM, "example.org", ""),
                List.of(new DkimResult(Status.PASS, "Signature verified", "example.org", "sel", "@example.org")),
                new DmarcResult(Result.PASS, "Aligned SPF and DKIM pass", "example.org", DmarcPolicy.REJECT, DmarcPolicy.REJECT,
                        DmarcPolicy.NONE));
        assertEquals("Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=example.org;\r\n"
                + " dkim=pass (Signature verified) header.d=example.org header.s=sel\r\n"
                + " header.i=@example.org; dmarc=pass (p=reject dis=none) header.from=example.org\r\n", field);
        field.lines().forEach(line -> assertTrue(line.length() <= 78, line));
    }

    @Test
    void noSignatureIsDkimNoneAndANullPathReportsTheHeloDomain() {
        String field = ours(new SpfResult(SpfResult.Status.NONE, Identity.HELO, "mx.example.org", ""),
                List.of(),
                new DmarcResult(Result.FAIL, "No aligned SPF or DKIM pass", "mail.example.org", DmarcPolicy.REJECT,
                        DmarcPolicy.QUARANTINE, DmarcPolicy.QUARANTINE));
        assertEquals("Authentication-Results: mx.example.net; spf=none smtp.helo=mx.example.org;\r\n"
                + " dkim=none; dmarc=fail (p=reject sp=quarantine dis=quarantine)\r\n"
                + " header.from=mail.example.org\r\n", field);
    }

    @Test
    void severalSignaturesEachGetAResultAndMissingValuesAreLeftOut() {
        String field = ours(new SpfResult(SpfResult.Status.TEMPERROR, Identity.MAILFROM, null, "DNS timeout"),
                List.of(new DkimResult(Status.PERMERROR, "Malformed", null, null, null),
                        new DkimResult(Status.FAIL, "Body hash did not verify", "a.example", "s1", "user@a.example")),
                DmarcResult.temperror("example.org", "Out of time"));
        assertEquals("Authentication-Results: mx.example.net; spf=temperror (DNS timeout);\r\n"
                + " dkim=permerror (Malformed); dkim=fail (Body hash did not verify)\r\n"
                + " header.d=a.example header.s=s1 header.i=user@a.example; dmarc=temperror (Out\r\n"
                + " of time) header.from=example.org\r\n", field);
    }

    @Test
    void strangersValuesCannotEndACommentAStringOrTheField() {
        // SpfResult makes its reason comment-safe itself (the parentheses); the field makes the rest safe
        String field = ours(new SpfResult(SpfResult.Status.FAIL, Identity.MAILFROM, "x;dkim=pass", "not permitted; (really)"),
                List.of(new DkimResult(Status.FAIL, "bad) ; dkim=pass (x\\\r\nX-Evil: 1", "evil.example\r\nX: y", "a b",
                        "x\"y@evil.example")),
                DmarcResult.permerror("From: 2 authors (\u00e9)"));
        assertEquals("Authentication-Results: mx.example.net; spf=fail (not permitted, ?really?)\r\n"
                + " smtp.mailfrom=\"x;dkim=pass\"; dkim=fail (bad] , dkim=pass [x/ X-Evil: 1)\r\n"
                + " header.s=\"a b\" header.i=\"x\\\"y@evil.example\"; dmarc=permerror (From: 2 authors\r\n"
                + " [?])\r\n", field);
    }

    @Test
    void aValueNoAsciiFieldCanHoldIsLeftOut() {
        String field = ours(new SpfResult(SpfResult.Status.PASS, Identity.MAILFROM, "b\u00fccher.example", ""),
                List.of(new DkimResult(Status.PASS, "", "example.org", "sel", "j\u00f6rg@example.org")),
                DmarcResult.permerror("No From"));
        assertEquals("Authentication-Results: mx.example.net; spf=pass; dkim=pass\r\n"
                + " header.d=example.org header.s=sel; dmarc=permerror (No From)\r\n", field);
    }

    @Test
    void aLongReasonIsCutAndFoldedBetweenItsWords() {
        List<String> words = AuthenticationResults.comment("word ".repeat(40));
        assertEquals(20, words.size(), "100 characters kept");
        assertEquals("(word", words.get(0));
        assertEquals("word...)", words.get(19));
        assertEquals(List.of(), AuthenticationResults.comment("\u0000\r\n"), "nothing left to say: no comment");
    }

    @Test
    void theAuthservIdIsATokenOrAQuotedString() {
        String field = AuthenticationResults.field("mx \"one\"", new SpfResult(SpfResult.Status.NONE, Identity.MAILFROM, null, ""), List.of(),
                DmarcResult.permerror(""));
        assertTrue(field.startsWith("Authentication-Results: \"mx \\\"one\\\"\"; spf=none;"), field);
        assertEquals(Optional.of("mx \"one\""), AuthenticationResults.authservId(field.substring(field.indexOf(':') + 1)));
        assertThrows(IllegalArgumentException.class, () -> AuthenticationResults.field("mx\r\nX-Evil: 1",
                new SpfResult(SpfResult.Status.NONE, Identity.MAILFROM, null, ""), List.of(), DmarcResult.permerror("")));
    }

    // ---- reading: RFC 8601 appendix B

    @Test
    void authservIdsOfTheAppendixBExamples() {
        assertEquals(Optional.of("example.org"), id(" example.org 1; none"), "B.2");
        assertEquals(Optional.of("example.com"), id(" example.com;\r\n          spf=pass smtp.mailfrom=example.net"), "B.3");
        assertEquals(Optional.of("example.com"), id(" example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                + "          spf=pass smtp.mailfrom=example.net"), "B.4");
        assertEquals(Optional.of("example.com"), id(" example.com;\r\n          sender-id=fail header.from=example.com;\r\n"
                + "          dkim=pass (good signature) header.d=example.com"), "B.5");
        assertEquals(Optional.of("example.com"), id(" example.com;\r\n      dkim=pass reason=\"good signature\"\r\n"
                + "        header.i=@mail-router.example.net;"), "B.6");
        assertEquals(Optional.of("foo.example.net"), id(" foo.example.net (foobar) 1 (baz);\r\n"
                + "    dkim (Because I like it) / 1 (One yay) = (wait for it) fail"), "B.7, comment-heavy");
    }

    @Test
    void commentsBeforeTheIdNestAndQuote() {
        assertEquals(Optional.of("mx.example.net"), id(" (a (nested \\) comment) here)\r\n\t mx.example.net; none"));
        assertEquals(Optional.of("mx.example.net"), id("(x)mx.example.net(y); none"));
        assertEquals(Optional.of("mx.example.net"), id(" \"mx.example.\\net\"; none"), "a quoted-pair in a quoted-string");
        assertEquals(Optional.of("mx.example.net"), id(" mx.example.net/1; none"), "a token ends at a tspecial");
    }

    @Test
    void whatIsNoAuthservIdIsNone() {
        assertEquals(Optional.empty(), id(""));
        assertEquals(Optional.empty(), id(" \r\n (only a comment) "));
        assertEquals(Optional.empty(), id(" ; spf=pass"));
        assertEquals(Optional.empty(), id(" (unterminated mx.example.net; spf=pass"));
        assertEquals(Optional.empty(), id(" \"mx.example.net; spf=pass"));
        assertEquals(Optional.empty(), id(" \"\"; spf=pass"));
        assertEquals(Optional.empty(), id(" (a \\"));
    }

    @Test
    void claimsComparesCaseInsensitively() {
        assertTrue(AuthenticationResults.claims(" MX.Example.NET; dkim=pass", US));
        assertTrue(AuthenticationResults.claims(" (forged) \"mx.example.net\" 1; spf=pass", US));
        assertFalse(AuthenticationResults.claims(" mx.example.net.evil.example; spf=pass", US));
        assertFalse(AuthenticationResults.claims(" evil.example; spf=pass (mx.example.net)", US));
        assertTrue(AuthenticationResults.claims(" mx.example.net.; spf=pass", US), "a root dot names the same host");
        // unreadable authserv-ids may be ours to a laxer reader: they go too
        assertTrue(AuthenticationResults.claims(" (mx.example.net", US));
        assertTrue(AuthenticationResults.claims(" (a(b) mx.example.net; dmarc=pass", US));
        assertTrue(AuthenticationResults.claims("\u000bmx.example.net; dmarc=pass", US));
        assertTrue(AuthenticationResults.claims("\u00a0mx.example.net; dmarc=pass", US));
    }

    @Test
    void hostileValuesEndInLinearTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertEquals(Optional.empty(), id("(".repeat(100_000)), "deep and unterminated");
            assertEquals(Optional.of(US), id("(".repeat(100_000) + ")".repeat(100_000) + US), "deep and closed");
            assertEquals(Optional.empty(), id("\"" + "\\\"".repeat(50_000)), "a quoted-string of quoted-pairs, unterminated");
            assertEquals(100_000, id("a".repeat(100_000)).orElseThrow().length());
            for (int i = 0; i < 100; i++) {
                id("(a)".repeat(30_000));
            }
        });
    }

    /** The field with our authserv-id. */
    private static String ours(SpfResult spf, List<DkimResult> dkim, DmarcResult dmarc) {
        return AuthenticationResults.field(US, spf, dkim, dmarc);
    }

    private static Optional<String> id(String value) {
        return AuthenticationResults.authservId(value);
    }
}
