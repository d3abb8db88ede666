package dev.mailgateway.common.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/** Keys (made once per test run: RSA generation is slow), messages and a key lookup served from a map. */
final class DkimFixtures {

    static final String DOMAIN = "example.test";
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final DkimKeyPair RSA = DkimKeyPair.generate(DkimAlgorithm.RSA_SHA256);
    static final DkimKeyPair ED25519 = DkimKeyPair.generate(DkimAlgorithm.ED25519_SHA256);

    private DkimFixtures() {
    }

    static DkimKeyPair key(DkimAlgorithm algorithm) {
        return algorithm == DkimAlgorithm.RSA_SHA256 ? RSA : ED25519;
    }

    /** The selector each key is published under. */
    static String selector(DkimAlgorithm algorithm) {
        return algorithm == DkimAlgorithm.RSA_SHA256 ? "rsa2026" : "ed2026";
    }

    static DkimSigner signer(DkimAlgorithm algorithm) {
        return new DkimSigner(algorithm, DOMAIN, selector(algorithm), key(algorithm).privateKey());
    }

    /** Both keys' records, by name. */
    static Map<String, String> records() {
        Map<String, String> records = new HashMap<>();
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            records.put(selector(algorithm) + "._domainkey." + DOMAIN, key(algorithm).record().toTxt());
        }
        return records;
    }

    /** A lookup answering from the map: null for a name it lacks. */
    static DkimKeyLookup lookup(Map<String, String> records) {
        return name -> Future.succeededFuture(records.get(name));
    }

    static List<DkimResult> verify(DkimKeyLookup lookup, Buffer message) {
        try {
            return new DkimVerifier(lookup, CLOCK).verify(message).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static DkimResult verifyOne(Buffer message) {
        List<DkimResult> results = verify(lookup(records()), message);
        if (results.size() != 1) {
            throw new AssertionError("one result expected: " + results);
        }
        return results.get(0);
    }

    /** Octets of a message written with one char per octet, so 8-bit text stays as it is. */
    static Buffer octets(String message) {
        return Buffer.buffer(message.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Buffer signed(DkimAlgorithm algorithm, Buffer message) {
        return Buffer.buffer().appendBuffer(signer(algorithm).sign(message, NOW)).appendBuffer(message);
    }

    /**
     * A signature made by hand from the package's parts, for tags our signer never writes.
     *
     * @param tags everything before bh= and b=, e.g. {@code "v=1; a=...; c=...; d=...; s=...; h=from; l=5;"}
     */
    static Buffer handSigned(DkimAlgorithm algorithm, Buffer message, String tags) {
        String field = "DKIM-Signature: " + tags;
        DkimSignature draft = DkimSignature.parse(HeaderField.of(octets(field + " bh=; b=").getBytes()));
        MessageSplitter splitter = new MessageSplitter();
        BodyHasher body = draft.bodyCanonicalization().bodyHasher(DkimAlgorithm.sha256(), draft.bodyLength().orElse(-1));
        body.update(splitter.feed(message));
        field += "\r\n bh=" + Base64.getEncoder().encodeToString(body.finish().hash()) + "; b=";
        byte[] data = splitter.headers().signedData(draft.signedHeaders(), draft.headerCanonicalization(),
                field.getBytes(StandardCharsets.ISO_8859_1));
        try {
            field += Base64.getEncoder().encodeToString(algorithm.sign(key(algorithm).privateKey(), data)) + "\r\n";
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        return octets(field).appendBuffer(message);
    }

    static final String PLAIN = """
            From: Alice <alice@example.test>\r
            To: Bob <bob@example.org>\r
            Subject: Lunch\r
            Date: Fri, 02 Jan 2026 03:04:05 +0000\r
            Message-ID: <1@example.test>\r
            \r
            Noon?\r
            """;
}
