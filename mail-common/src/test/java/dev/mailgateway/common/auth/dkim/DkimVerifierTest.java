package dev.mailgateway.common.auth.dkim;

import static dev.mailgateway.common.auth.dkim.DkimFixtures.DOMAIN;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.PLAIN;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.handSigned;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.lookup;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.octets;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.records;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signed;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signer;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.verify;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.verifyOne;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.dkim.DkimResult.Status;
import dev.mailgateway.common.testing.HostileInput;

class DkimVerifierTest {

    private static final String ED_TAGS = "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=ed2026; h=from:to:subject;";

    private static void assertResult(Status status, String reasonPart, DkimResult result) {
        assertEquals(status, result.status(), result.toString());
        assertTrue(result.reason().contains(reasonPart), result.reason());
    }

    /** A message under a signature field written out by hand (it need not verify). */
    private static Buffer underField(String tags) {
        return octets("DKIM-Signature: " + tags + "\r\n" + PLAIN);
    }

    @Test
    void signedMessagesPassWithTheirProperties() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            DkimResult result = verifyOne(signed(algorithm, octets(PLAIN)));
            assertEquals(new DkimResult(Status.PASS, "Signature verified", DOMAIN, DkimFixtures.selector(algorithm), "@" + DOMAIN), result);
            assertEquals("pass", result.status().token());
        }
    }

    @Test
    void oneChangedBodyOctetOrSignedFieldFails() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            String signed = signed(algorithm, octets(PLAIN)).toString();
            assertResult(Status.FAIL, "Body hash", verifyOne(Buffer.buffer(signed.replace("Noon?", "Noon!"))));
            assertResult(Status.FAIL, "Signature did not verify", verifyOne(Buffer.buffer(signed.replace("Lunch", "Lunch2"))));
            assertEquals(Status.PASS, verifyOne(Buffer.buffer(signed.replace("Subject: Lunch", "Subject:   Lunch  "))).status(),
                    "relaxed: white space changes do not matter");
            assertEquals(Status.PASS, verifyOne(Buffer.buffer(signed + "\r\n\r\n")).status(), "empty lines added at the end");
        }
    }

    @Test
    void noSignatureNoResult() {
        assertEquals(List.of(), verify(lookup(Map.of()), octets(PLAIN)));
    }

    @Test
    void keyRecordOutcomes() {
        Buffer message = signed(DkimAlgorithm.ED25519_SHA256, octets(PLAIN));
        String name = "ed2026._domainkey.example.test";
        assertResult(Status.PERMERROR, "No key record at " + name, verify(lookup(Map.of()), message).get(0));
        DkimKeyLookup broken = n -> Future.failedFuture("SERVFAIL");
        assertResult(Status.TEMPERROR, "Key lookup of " + name + " failed", verify(broken, message).get(0));
        DkimKeyLookup throwing = n -> {
            throw new IllegalStateException("resolver closed");
        };
        assertResult(Status.TEMPERROR, "failed", verify(throwing, message).get(0));
        assertResult(Status.PERMERROR, "Key revoked", verify(lookup(Map.of(name, "v=DKIM1; k=ed25519; p=")), message).get(0));
        assertResult(Status.PERMERROR, "does not match",
                verify(lookup(Map.of(name, DkimFixtures.RSA.record().toTxt())), message).get(0));
        assertResult(Status.PERMERROR, "not DKIM1", verify(lookup(Map.of(name, "v=DKIM2; k=ed25519; p=")), message).get(0));
        assertResult(Status.PERMERROR, "no valid ed25519 key",
                verify(lookup(Map.of(name, "v=DKIM1; k=ed25519; p=!!!!")), message).get(0));
    }

    @Test
    void aKeyInTestingModeMakesAFailureNeutral() {
        String name = "ed2026._domainkey.example.test";
        String testing = "v=DKIM1; k=ed25519; t=y; p=" + DkimFixtures.ED25519.record().toTxt().split("p=")[1];
        Buffer tampered = Buffer.buffer(signed(DkimAlgorithm.ED25519_SHA256, octets(PLAIN)).toString().replace("Noon", "Midnight"));
        assertResult(Status.NEUTRAL, "testing mode", verify(lookup(Map.of(name, testing)), tampered).get(0));
    }

    @Test
    void rsaKeysUnder1024BitsArePermerror() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(768);
        var weak = generator.generateKeyPair();
        Buffer message = signed(DkimAlgorithm.RSA_SHA256, octets(PLAIN));
        Map<String, String> records = Map.of("rsa2026._domainkey.example.test", DkimKeyRecord.of(weak.getPublic()).toTxt());
        assertResult(Status.PERMERROR, "RSA key of 768 bits", verify(lookup(records), message).get(0));
    }

    @Test
    void signaturesThatCannotVerifyArePermerror() {
        String good = "v=1; a=ed25519-sha256; d=example.test; s=ed2026; h=from; bh=AAAA; b=AAAA";
        assertResult(Status.PERMERROR, "v= is not 1", verifyOne(underField(good.replace("v=1", "v=2"))));
        assertResult(Status.PERMERROR, "Required tag bh=", verifyOne(underField(good.replace("bh=AAAA; ", ""))));
        assertResult(Status.PERMERROR, "rsa-sha1", verifyOne(underField(good.replace("ed25519-sha256", "rsa-sha1"))));
        assertResult(Status.PERMERROR, "Unknown signature algorithm", verifyOne(underField(good.replace("ed25519-sha256", "dsa-md5"))));
        assertResult(Status.PERMERROR, "From is not among", verifyOne(underField(good.replace("h=from", "h=to:subject"))));
        assertResult(Status.PERMERROR, "i= is not within d=", verifyOne(underField(good + "; i=a@example.org")));
        assertResult(Status.PERMERROR, "i= is not within d=", verifyOne(underField(good + "; i=a@notexample.test")));
        assertResult(Status.PERMERROR, "not base64", verifyOne(underField(good.replace("b=AAAA", "b=A*A="))));
        assertResult(Status.PERMERROR, "not base64", verifyOne(underField(good.replace("bh=AAAA", "bh=A"))));
        assertResult(Status.PERMERROR, "canonicalization", verifyOne(underField(good + "; c=loose/simple")));
        assertResult(Status.PERMERROR, "x= not after", verifyOne(underField(good + "; t=200; x=100")));
        assertResult(Status.PERMERROR, "x= not after", verifyOne(underField(good + "; t=200; x=200")));
        assertResult(Status.PERMERROR, "l= is not a decimal", verifyOne(underField(good + "; l=" + "9".repeat(40))));
        assertResult(Status.PERMERROR, "given twice", verifyOne(underField(good + "; d=example.test")));
        assertResult(Status.PERMERROR, "d=", verifyOne(underField(good.replace("d=example.test", "d=example..test"))));
    }

    @Test
    void anIdentityInASubdomainOfDPasses() {
        Buffer message = handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS + " i=alice@mail.example.test;");
        DkimResult result = verifyOne(message);
        assertEquals(Status.PASS, result.status(), result.reason());
        assertEquals("alice@mail.example.test", result.identity());
    }

    @Test
    void anExpiredSignatureIsPolicy() {
        long past = DkimFixtures.NOW.getEpochSecond() - 1;
        Buffer message = handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS + " t=" + (past - 10) + "; x=" + past + ";");
        assertResult(Status.POLICY, "expired", verifyOne(message));
        long future = DkimFixtures.NOW.getEpochSecond() + 3600;
        assertEquals(Status.PASS, verifyOne(handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS + " x=" + future + ";")).status());
    }

    @Test
    void theBodyLengthLimitIsHonoured() {
        // l=7 covers "Noon?\r\n": text appended after it does not break the signature
        Buffer message = handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS + " l=7;");
        assertEquals(Status.PASS, verifyOne(message.copy().appendString("Appended by a list\r\n")).status());
        assertResult(Status.FAIL, "Body hash", verifyOne(Buffer.buffer(message.toString().replace("Noon?", "Noon!"))));
        Buffer tooLong = handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS + " l=8;");
        assertResult(Status.FAIL, "shorter than l=", verifyOne(tooLong));
    }

    @Test
    void simpleCanonicalizationIsVerifiedToo() {
        String tags = "v=1; a=rsa-sha256; c=simple/simple; d=example.test; s=rsa2026; h=From : To : Subject : Date;";
        Buffer message = handSigned(DkimAlgorithm.RSA_SHA256, octets(PLAIN), tags);
        assertEquals(Status.PASS, verifyOne(message).status());
        assertEquals(Status.FAIL, verifyOne(Buffer.buffer(message.toString().replace("Subject: Lunch", "Subject:  Lunch"))).status(),
                "simple: one more space breaks it");
    }

    @Test
    void aThousandSignaturesAreBoundedWithAClearPermerror() {
        AtomicInteger lookups = new AtomicInteger();
        DkimKeyLookup counting = name -> {
            lookups.incrementAndGet();
            return Future.succeededFuture(records().get(name));
        };
        Buffer message = signed(DkimAlgorithm.ED25519_SHA256, octets(PLAIN));
        String junk = "DKIM-Signature: v=1; a=ed25519-sha256; d=example.test; s=ed2026; h=from; bh=AAAA; b=AAAA\r\n";
        Buffer flooded = Buffer.buffer().appendBuffer(message.slice(0, message.toString().indexOf("From:")));
        flooded.appendString(junk.repeat(999)).appendBuffer(message.slice(message.toString().indexOf("From:"), message.length()));
        List<DkimResult> results = verify(counting, flooded);
        assertEquals(DkimVerifier.MAX_SIGNATURES + 1, results.size());
        assertEquals(Status.PASS, results.get(0).status(), "the first, ours, is still verified");
        assertResult(Status.PERMERROR, (1000 - DkimVerifier.MAX_SIGNATURES) + " more signatures not verified", results.get(results.size() - 1));
        assertEquals(DkimVerifier.MAX_SIGNATURES, lookups.get(), "no lookup past the limit");
    }

    @Test
    void hostileSizesArePermerror() {
        String hugeB = "v=1; a=ed25519-sha256; d=example.test; s=ed2026; h=from; bh=AAAA; b=" + "A".repeat(20_000);
        assertResult(Status.PERMERROR, "Tag list over", verifyOne(underField(hugeB)));
        String longH = "v=1; a=ed25519-sha256; d=example.test; s=ed2026; bh=AAAA; b=AAAA; h=from" + ":to".repeat(200);
        assertResult(Status.PERMERROR, "Over " + DkimSignature.MAX_SIGNED_HEADERS, verifyOne(underField(longH)));
        String hugeHeader = ("X-Junk: " + "j".repeat(990) + "\r\n").repeat(300);
        assertEquals(List.of(), verify(lookup(records()), octets(hugeHeader + PLAIN)), "no signature: nothing to report");
        Buffer signedHuge = Buffer.buffer().appendBuffer(signer(DkimAlgorithm.ED25519_SHA256).sign(octets(PLAIN), DkimFixtures.NOW))
                .appendBuffer(octets(hugeHeader + PLAIN));
        List<DkimResult> results = verify(lookup(records()), signedHuge);
        assertEquals(1, results.size(), results.toString());
        assertResult(Status.PERMERROR, "Header section over", results.get(0));
        Buffer hugeKey = signed(DkimAlgorithm.ED25519_SHA256, octets(PLAIN));
        Map<String, String> hostile = Map.of("ed2026._domainkey.example.test", "v=DKIM1; k=ed25519; p=" + "A".repeat(100_000));
        assertResult(Status.PERMERROR, "Tag list over", verify(lookup(hostile), hugeKey).get(0));
    }

    @Test
    void seededHostileSignatureFieldsNeverThrow() {
        String[] fragments = {"v=1", "a=rsa-sha256", "a=ed25519-sha256", "d=example.test", "s=ed2026", "h=from", "h=from:to",
            "bh=AAAA", "b=AAAA", "l=5", "i=@example.test", "x=1", "t=2", ";", "; ", "=", "\r\n ", "\r\n", ":", "==", "\u00e9", "\u0000"};
        HostileInput.forEachSeed(300, random -> {
            byte[] tags = HostileInput.generate(random, fragments, 30, 100);
            Buffer message = Buffer.buffer("DKIM-Signature:").appendBytes(tags).appendString("\r\n" + PLAIN);
            for (DkimResult result : verify(lookup(records()), message)) {
                assertTrue(result.status() != Status.PASS, "nothing random passes");
                assertTrue(result.reason() != null && !result.reason().isEmpty());
            }
        });
    }

    @Test
    void aLookupThatGivesNoFutureIsTemperror() {
        Buffer message = signed(DkimAlgorithm.ED25519_SHA256, octets(PLAIN));
        assertResult(Status.TEMPERROR, "failed", verify(name -> null, message).get(0));
    }

    /** Whatever goes wrong in a check, the signature gets a permerror and the others their own results. */
    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void aCheckThatThrowsIsPermerror_andTheFutureStillSucceeds() {
        Buffer rsa = signed(DkimAlgorithm.RSA_SHA256, octets(PLAIN));
        Buffer both = Buffer.buffer().appendBuffer(signer(DkimAlgorithm.ED25519_SHA256).sign(rsa, DkimFixtures.NOW)).appendBuffer(rsa);
        Map<String, String> records = records();
        // a lookup breaking its own contract: an answer that is no String makes the check throw a ClassCastException
        DkimKeyLookup broken = name -> name.startsWith("ed2026.") ? (Future) Future.succeededFuture(42) : Future.succeededFuture(records.get(name));
        List<DkimResult> results = verify(broken, both);
        assertResult(Status.PERMERROR, "could not be checked (ClassCastException)", results.get(0));
        assertEquals(DkimFixtures.DOMAIN, results.get(0).domain(), "the signature's properties are still reported");
        assertEquals(Status.PASS, results.get(1).status());
    }

    @Test
    void nothingIsThrown_evenWhenTheClockOrTheCallerIsBroken() {
        Clock broken = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                throw new DateTimeException("clock unavailable");
            }
        };
        Buffer message = handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS + " x=" + (DkimFixtures.NOW.getEpochSecond() + 60) + ";");
        Future<List<DkimResult>> results = new DkimVerifier(lookup(records()), broken).verify(message);
        assertResult(Status.PERMERROR, "could not be checked (DateTimeException)", results.result().get(0));
        Future<List<DkimResult>> none = new DkimVerifier(lookup(records()), DkimFixtures.CLOCK).verify(null);
        assertTrue(none.succeeded());
        assertResult(Status.PERMERROR, "could not be checked", none.result().get(0));
    }

    @Test
    void rsaKeysWithAHugePublicExponentArePermerror() throws Exception {
        RSAPublicKey ours = (RSAPublicKey) DkimFixtures.RSA.publicKey();
        BigInteger hugeExponent = BigInteger.ONE.shiftLeft(DkimVerifier.MAX_RSA_EXPONENT_BITS).add(BigInteger.ONE); // 34 bits
        PublicKey huge = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(ours.getModulus(), hugeExponent));
        Buffer message = signed(DkimAlgorithm.RSA_SHA256, octets(PLAIN));
        Map<String, String> records = Map.of("rsa2026._domainkey.example.test", DkimKeyRecord.of(huge).toTxt());
        assertResult(Status.PERMERROR, "RSA public exponent of 34 bits", verify(lookup(records), message).get(0));
        BigInteger f5 = BigInteger.ONE.shiftLeft(32).add(BigInteger.ONE);
        PublicKey fermat = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(ours.getModulus(), f5));
        Map<String, String> allowed = Map.of("rsa2026._domainkey.example.test", DkimKeyRecord.of(fermat).toTxt());
        assertResult(Status.FAIL, "Signature did not verify", verify(lookup(allowed), message).get(0));
    }

    /**
     * RFC 6376 section 3.5: b= may stand anywhere among the tags and be folded anywhere; section 3.7
     * removes its value, folding included, and keeps the rest of the field as it stands.
     */
    @Test
    void aFoldedBAmidTheTagsVerifies_simpleAndRelaxed() throws Exception {
        for (Canonicalization c : Canonicalization.values()) {
            String name = c.name().toLowerCase(Locale.ROOT);
            Buffer message = bAmidTheTags(name);
            assertEquals(Status.PASS, verifyOne(message).status(), name + ": " + verifyOne(message));
            assertEquals(Status.FAIL, verifyOne(Buffer.buffer(message.toString().replace("Lunch", "Brunch"))).status(), name);
        }
    }

    private static Buffer bAmidTheTags(String canonicalization) throws Exception {
        MessageSplitter splitter = new MessageSplitter();
        BodyHasher body = Canonicalization.fromTag(canonicalization).orElseThrow().bodyHasher(DkimAlgorithm.sha256(), -1);
        body.update(splitter.feed(octets(PLAIN)));
        String before = "DKIM-Signature: v=1; a=ed25519-sha256; b=";
        String after = ";\r\n\tc=" + canonicalization + "/" + canonicalization + "; d=example.test; s=ed2026;\r\n h=from:to:subject; bh="
                + Base64.getEncoder().encodeToString(body.finish().hash());
        byte[] data = splitter.headers().signedData(List.of("from", "to", "subject"), Canonicalization.fromTag(canonicalization).orElseThrow(),
                (before + after).getBytes(StandardCharsets.ISO_8859_1));
        String b = Base64.getEncoder().encodeToString(DkimAlgorithm.ED25519_SHA256.sign(DkimFixtures.ED25519.privateKey(), data));
        String folded = b.substring(0, 30) + "\r\n\t " + b.substring(30, 60) + " \r\n  " + b.substring(60);
        return octets(before + folded + after + "\r\n" + PLAIN);
    }

    /** RFC 6376 section 5.4.2: a name in h= that selects no field signs its absence; adding the field breaks the signature. */
    @Test
    void aSignedAbsentFieldAddedLaterFails() {
        Buffer message = handSigned(DkimAlgorithm.ED25519_SHA256, octets(PLAIN), ED_TAGS.replace("h=from:to:subject", "h=from:to:subject:reply-to"));
        assertEquals(Status.PASS, verifyOne(message).status());
        String added = message.toString().replace("Subject: Lunch\r\n", "Subject: Lunch\r\nReply-To: m@evil.test\r\n");
        assertResult(Status.FAIL, "Signature did not verify", verifyOne(Buffer.buffer(added)));
    }
}
