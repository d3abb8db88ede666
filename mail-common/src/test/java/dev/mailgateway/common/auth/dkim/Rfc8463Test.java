package dev.mailgateway.common.auth.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.dkim.DkimResult.Status;

/** RFC 8463 appendix A: the ed25519-sha256 example, its key, its record and its signature, octet for octet. */
class Rfc8463Test {

    /** A.1: the secret key, RFC 8032 section 7.1 test 1's seed. */
    private static final String SECRET = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
    /** A.2: the record at brisbane._domainkey.football.example.com. */
    private static final String RECORD = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    private static final String B = "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";
    /** A.3: the signature field, its b= value removed. */
    private static final String FIELD_WITHOUT_B = """
            DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r
             d=football.example.com; i=@football.example.com;\r
             q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r
             subject : date : message-id : from : subject : date;\r
             bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r
             b=""";
    private static final String MESSAGE = """
            From: Joe SixPack <joe@football.example.com>\r
            To: Suzie Q <suzie@shopping.example.net>\r
            Subject: Is dinner ready?\r
            Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
            Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
            \r
            Hi.\r
            \r
            We lost the game.  Are you hungry yet?\r
            \r
            Joe.\r
            """;

    private static String signedMessage() {
        return FIELD_WITHOUT_B + B.substring(0, 56) + "\r\n " + B.substring(56) + "\r\n" + MESSAGE;
    }

    @Test
    void theExampleVerifies() throws Exception {
        DkimVerifier verifier = new DkimVerifier(DkimFixtures.lookup(Map.of("brisbane._domainkey.football.example.com", RECORD)),
                Clock.fixed(Instant.ofEpochSecond(1528637909), ZoneOffset.UTC));
        List<DkimResult> results = verifier.verify(Buffer.buffer(signedMessage()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(List.of(new DkimResult(Status.PASS, "Signature verified", "football.example.com", "brisbane", "@football.example.com")),
                results);
    }

    @Test
    void theSignatureIsReproducedFromTheSecretKey() throws Exception {
        PrivateKey key = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, Base64.getDecoder().decode(SECRET)));
        MessageSplitter splitter = new MessageSplitter();
        Buffer body = splitter.feed(Buffer.buffer(MESSAGE));
        BodyHasher hasher = Canonicalization.RELAXED.bodyHasher(DkimAlgorithm.sha256(), -1);
        hasher.update(body);
        assertEquals("2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", Base64.getEncoder().encodeToString(hasher.finish().hash()));
        byte[] data = splitter.headers().signedData(
                List.of("from", "to", "subject", "date", "message-id", "from", "subject", "date"),
                Canonicalization.RELAXED, FIELD_WITHOUT_B.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(B, Base64.getEncoder().encodeToString(DkimAlgorithm.ED25519_SHA256.sign(key, data)));
    }

    @Test
    void theRecordParsesAndIsWrittenBackAsPublished() {
        DkimKeyRecord record = DkimKeyRecord.parse(RECORD);
        assertEquals(DkimAlgorithm.ED25519_SHA256, record.algorithm());
        assertEquals(RECORD, record.toTxt());
    }
}
