package dev.mailgateway.common.auth.dkim;

import static dev.mailgateway.common.auth.dkim.DkimFixtures.NOW;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.PLAIN;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.octets;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signed;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signer;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.verifyOne;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

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
    void signsThePresentFieldsAsOftenAsTheyOccurAndFromOnceMore() {
        String message = "Received: from x\r\nFrom: a@example.test\r\nTo: b@example.org\r\nTo: c@example.org\r\n"
                + "References: <0@x>\r\nX-Mailer: y\r\n\r\nbody\r\n";
        DkimSignature signature = parse(signer(DkimAlgorithm.ED25519_SHA256).sign(octets(message), NOW));
        assertEquals(List.of("from", "to", "to", "references", "from"), signature.signedHeaders());
    }

    @Test
    void anAddedFromBreaksTheSignature() {
        Buffer signed = signed(DkimAlgorithm.RSA_SHA256, octets(PLAIN));
        assertEquals(Status.PASS, verifyOne(signed).status());
        String forged = signed.toString().replace("From: Alice", "From: Mallory <m@evil.test>\r\nFrom: Alice");
        assertEquals(Status.FAIL, verifyOne(Buffer.buffer(forged)).status());
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
            Buffer streamed = signer(algorithm).sign(MessageSource.of(message), NOW)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(whole.toString(), streamed.toString(), "both algorithms sign deterministically");
            assertEquals(Status.PASS, verifyOne(Buffer.buffer().appendBuffer(streamed).appendBuffer(message)).status());
        }
    }

    @Test
    void aHeaderSectionPastTheLimitIsRefused() {
        String huge = "From: a@example.test\r\n" + ("X-Junk: " + "j".repeat(990) + "\r\n").repeat(300) + "\r\nx\r\n";
        DkimFormatException e = assertThrows(DkimFormatException.class,
                () -> signer(DkimAlgorithm.ED25519_SHA256).sign(octets(huge), NOW));
        assertEquals("Header section over " + MessageSplitter.MAX_HEADER_SECTION + " octets", e.getMessage());
    }
}
