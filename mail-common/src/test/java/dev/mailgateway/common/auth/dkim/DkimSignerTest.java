package dev.mailgateway.common.auth.dkim;

import static dev.mailgateway.common.auth.dkim.DkimFixtures.NOW;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.PLAIN;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.octets;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signed;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signer;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.verifyOne;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.dkim.DkimResult.Status;
import dev.mailgateway.common.store.MessageSource;

class DkimSignerTest {

    private static DkimSignature parse(Buffer field) {
        return DkimSignature.parse(HeaderField.of(field.getBytes()));
    }

    @Test
    void theFieldHasTheTagsFoldedAndEndsWithCrLf() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            String field = signer(algorithm).sign(octets(PLAIN), NOW).toString();
            assertTrue(field.startsWith("DKIM-Signature: v=1; a=" + algorithm.tag() + "; c=relaxed/relaxed; d=example.test;"), field);
            assertTrue(field.endsWith("\r\n") && !field.endsWith("\r\n\r\n"), field);
            for (String line : field.split("\r\n")) {
                assertTrue(line.length() <= 78, "folded at 78: " + line);
            }
            for (String line : field.substring(0, field.length() - 2).split("\r\n", -1)) {
                assertTrue(line.startsWith("DKIM-Signature:") || line.startsWith(" "), "continuation lines start with a space");
            }
            DkimSignature signature = parse(Buffer.buffer(field));
            assertEquals(NOW.getEpochSecond(), signature.timestamp().getAsLong());
            assertEquals("example.test", signature.domain());
        }
    }

    @Test
    void signsEveryListedFieldOnceMoreThanItOccurs_absentOnesOnce() {
        String message = "Received: from x\r\nFrom: a@example.test\r\nTo: b@example.org\r\nTo: c@example.org\r\n"
                + "References: <0@x>\r\nX-Mailer: y\r\n\r\nbody\r\n";
        DkimSignature signature = parse(signer(DkimAlgorithm.ED25519_SHA256).sign(octets(message), NOW));
        List<String> expected = new ArrayList<>();
        for (String name : DkimSigner.SIGNED_HEADERS) {
            int times = name.equals("from") || name.equals("references") ? 2 : name.equals("to") ? 3 : 1;
            expected.addAll(Collections.nCopies(times, name));
        }
        assertEquals(expected, signature.signedHeaders());
        assertTrue(DkimSigner.SIGNED_HEADERS.contains("sender"), "Sender names who sent it: RFC 5322 section 3.6.2");
        assertFalse(signature.signedHeaders().contains("received") || signature.signedHeaders().contains("x-mailer"));
    }

    /** Fields added later, above or below, of a name signed or not present at all: each breaks the signature. */
    @Test
    void anAddedOrPrependedSignedFieldBreaksTheSignature() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            Buffer signed = signed(algorithm, octets(PLAIN));
            assertEquals(Status.PASS, verifyOne(signed).status());
            String text = signed.toString();
            Map<String, String> forgeries = Map.of(
                    "a second From", text.replace("From: Alice", "From: Mallory <m@evil.test>\r\nFrom: Alice"),
                    "a Subject on top", "Subject: Urgent: new bank details\r\n" + text,
                    "a Reply-To", text.replace("\r\n\r\n", "\r\nReply-To: m@evil.test\r\n\r\n"),
                    "a Cc", text.replace("\r\n\r\n", "\r\nCc: m@evil.test\r\n\r\n"),
                    "a Sender", "Sender: m@evil.test\r\n" + text);
            forgeries.forEach((what, forged) ->
                    assertEquals(Status.FAIL, verifyOne(Buffer.buffer(forged)).status(), algorithm.tag() + " with " + what + " added"));
            assertEquals(Status.PASS, verifyOne(Buffer.buffer("Received: from relay\r\nX-Spam: no\r\n" + text)).status(),
                    "trace and other fields may still be added");
        }
    }

    @Test
    void aKeyOfTheWrongTypeIsRefusedWhenTheSignerIsMade() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DkimSigner(DkimAlgorithm.RSA_SHA256, "example.test", "s", DkimFixtures.ED25519.privateKey()));
        assertTrue(e.getMessage().contains("does not sign rsa-sha256"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new DkimSigner(DkimAlgorithm.ED25519_SHA256, "example.test", "s", DkimFixtures.RSA.privateKey()));
        PrivateKey ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPrivate();
        assertThrows(IllegalArgumentException.class, () -> new DkimSigner(DkimAlgorithm.ED25519_SHA256, "example.test", "s", ed448));
    }

    /** An administrator may write the signing domain as an IDN; d= and the key's DNS name take its A-labels. */
    @Test
    void anIdnSigningDomainIsWrittenInItsALabels() {
        DkimSigner signer = new DkimSigner(DkimAlgorithm.ED25519_SHA256, "Bücher.Example", "ed2026", DkimFixtures.ED25519.privateKey());
        String message = "From: a@xn--bcher-kva.example\r\nSubject: IDN\r\n\r\nx\r\n";
        Buffer field = signer.sign(octets(message), NOW);
        assertEquals("xn--bcher-kva.example", parse(field).domain());
        Map<String, String> records = Map.of("ed2026._domainkey.xn--bcher-kva.example", DkimFixtures.ED25519.record().toTxt());
        List<DkimResult> results = DkimFixtures.verify(DkimFixtures.lookup(records), field.copy().appendBuffer(octets(message)));
        assertEquals(Status.PASS, results.get(0).status(), results.toString());
    }

    @Test
    void aMessageWithoutFromIsNotSigned() {
        DkimFormatException e = assertThrows(DkimFormatException.class,
                () -> signer(DkimAlgorithm.RSA_SHA256).sign(octets("To: b@example.org\r\n\r\nx\r\n"), NOW));
        assertTrue(e.getMessage().contains("From"));
    }

    @Test
    void aBadDomainOrSelectorIsRefused() {
        DkimKeyPair key = DkimFixtures.ED25519;
        assertThrows(DkimFormatException.class, () -> new DkimSigner(key.algorithm(), "exa mple.test", "s", key.privateKey()));
        assertThrows(DkimFormatException.class, () -> new DkimSigner(key.algorithm(), "example.test", "s;b=", key.privateKey()));
    }

    @Test
    void aStoredMessageReadInChunksSignsAsTheWholeOne() throws Exception {
        StringBuilder big = new StringBuilder(PLAIN);
        for (int i = 0; big.length() < 200_000; i++) {
            big.append("line ").append(i).append(" \t with  spaces \u00e9\r\n").append(i % 7 == 0 ? "\r\n" : "");
        }
        big.append("\r\n\r\n\r\n");
        Buffer message = octets(big.toString());
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            Buffer whole = signer(algorithm).sign(message, NOW);
            Buffer streamed = signer(algorithm).sign(MessageSource.of(message), message.length(), NOW)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(whole.toString(), streamed.toString(), "both algorithms sign deterministically");
            assertEquals(Status.PASS, verifyOne(Buffer.buffer().appendBuffer(streamed).appendBuffer(message)).status());
        }
    }

    @Test
    void aStoredMessageShorterThanItsSizeFailsTheSignature() {
        Buffer message = octets(PLAIN);
        Future<Buffer> signed = signer(DkimAlgorithm.ED25519_SHA256).sign(MessageSource.of(message), message.length() + 1, NOW);
        assertTrue(signed.failed());
        assertTrue(signed.cause().getMessage().contains("ended at octet " + message.length()), signed.cause().getMessage());
    }

    @Test
    void aHeaderSectionPastTheLimitIsRefused() {
        String huge = "From: a@example.test\r\n" + ("X-Junk: " + "j".repeat(990) + "\r\n").repeat(300) + "\r\nx\r\n";
        DkimFormatException e = assertThrows(DkimFormatException.class,
                () -> signer(DkimAlgorithm.ED25519_SHA256).sign(octets(huge), NOW));
        assertEquals("Header section over " + MessageSplitter.MAX_HEADER_SECTION + " octets", e.getMessage());
    }
}
