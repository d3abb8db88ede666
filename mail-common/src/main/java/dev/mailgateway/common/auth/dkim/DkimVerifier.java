package dev.mailgateway.common.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.dkim.DkimResult.Status;

/**
 * Verifies the DKIM signatures of a message (RFC 6376 section 6), top to
 * bottom, up to {@link #MAX_SIGNATURES} of them. Per signature: its tags
 * ({@link DkimSignature}), its expiry, its key record (fetched through a
 * {@link DkimKeyLookup}, without blocking), the key's type and size, the
 * body hash, then the header signature. The body is canonicalized and hashed
 * once per canonicalization and l= in use, not once per signature; hashing
 * runs on the calling thread.
 *
 * <p>Security-sensitive: the message, its signatures and the key records are
 * all hostile input. Every size is bounded (the header section, each tag
 * list, h=, the number of signatures, the RSA key size), and every refusal is
 * a result with a reason, never an exception.
 */
public final class DkimVerifier {

    /**
     * Signatures verified per message. RFC 6376 section 6.1 lets a verifier limit them, as anyone can
     * add signatures for nothing and each costs a DNS query; a mailing list's message has two or three.
     */
    public static final int MAX_SIGNATURES = 5;
    /** RFC 8301 section 3.2: verifiers must not consider RSA keys under 1024 bits valid. */
    public static final int MIN_RSA_BITS = 1024;
    /** RFC 8301 section 3.2 requires keys up to 4096 bits to verify; past 8192 a key costs too much. */
    public static final int MAX_RSA_BITS = 8192;

    private static final String SIGNATURE_FIELD = "dkim-signature";

    private final DkimKeyLookup lookup;
    private final Clock clock;

    /** @param clock the time x= is compared with */
    public DkimVerifier(DkimKeyLookup lookup, Clock clock) {
        this.lookup = lookup;
        this.clock = clock;
    }

    /**
     * The result of each signature, top to bottom; an empty list for a message without any.
     * Past {@link #MAX_SIGNATURES}, one more result, a permerror, stands for those left unverified.
     * The future never fails.
     */
    public Future<List<DkimResult>> verify(Buffer message) {
        MessageSplitter splitter = new MessageSplitter();
        Buffer body;
        HeaderSection headers;
        try {
            body = splitter.feed(message);
            headers = splitter.headers();
        } catch (DkimFormatException e) {
            return Future.succeededFuture(List.of(DkimResult.of(Status.PERMERROR, e.getMessage(), null)));
        }
        List<HeaderField> fields = headers.fields().stream().filter(f -> SIGNATURE_FIELD.equals(f.name())).toList();
        List<DkimSignature> signatures = new ArrayList<>();
        List<Future<DkimResult>> results = new ArrayList<>();
        for (HeaderField field : fields.subList(0, Math.min(fields.size(), MAX_SIGNATURES))) {
            try {
                DkimSignature signature = DkimSignature.parse(field);
                signatures.add(signature);
                results.add(null);
            } catch (DkimFormatException e) {
                signatures.add(null);
                results.add(Future.succeededFuture(DkimResult.of(Status.PERMERROR, e.getMessage(), null)));
            }
        }
        Map<BodyKey, BodyHasher> hashers = hashBody(signatures, body);
        for (int i = 0; i < signatures.size(); i++) {
            DkimSignature signature = signatures.get(i);
            if (signature != null) {
                results.set(i, verify(signature, headers, hashers.get(BodyKey.of(signature))));
            }
        }
        if (fields.size() > MAX_SIGNATURES) {
            results.add(Future.succeededFuture(DkimResult.of(Status.PERMERROR, (fields.size() - MAX_SIGNATURES)
                    + " more signatures not verified: the limit is " + MAX_SIGNATURES, null)));
        }
        return Future.all(results).map(all -> {
            List<DkimResult> list = new ArrayList<>();
            for (Future<DkimResult> result : results) {
                list.add(result.result());
            }
            return list;
        });
    }

    /** Bodies are hashed alike for signatures of the same body canonicalization and l=. */
    private record BodyKey(Canonicalization canonicalization, long limit) {
        static BodyKey of(DkimSignature signature) {
            return new BodyKey(signature.bodyCanonicalization(), signature.bodyLength().orElse(-1));
        }
    }

    private static Map<BodyKey, BodyHasher> hashBody(List<DkimSignature> signatures, Buffer body) {
        Map<BodyKey, BodyHasher> hashers = new HashMap<>();
        for (DkimSignature signature : signatures) {
            if (signature != null) {
                BodyKey key = BodyKey.of(signature);
                hashers.computeIfAbsent(key, k -> k.canonicalization().bodyHasher(DkimAlgorithm.sha256(), k.limit()));
            }
        }
        if (!hashers.isEmpty()) {
            byte[] octets = body.getBytes();
            for (BodyHasher hasher : hashers.values()) {
                hasher.update(octets, 0, octets.length);
            }
        }
        return hashers;
    }

    private Future<DkimResult> verify(DkimSignature signature, HeaderSection headers, BodyHasher body) {
        if (signature.expiry().isPresent() && signature.expiry().getAsLong() < clock.instant().getEpochSecond()) {
            return Future.succeededFuture(DkimResult.of(Status.POLICY, "Signature expired (x=)", signature));
        }
        String name = signature.selector() + "._domainkey." + signature.domain();
        Future<String> record;
        try {
            record = lookup.txt(name);
        } catch (RuntimeException e) {
            record = Future.failedFuture(e);
        }
        return record.transform(txt -> Future.succeededFuture(txt.succeeded()
                ? check(signature, headers, body, name, txt.result())
                : DkimResult.of(Status.TEMPERROR, "Key lookup of " + name + " failed", signature)));
    }

    private static DkimResult check(DkimSignature signature, HeaderSection headers, BodyHasher body, String name, String txt) {
        if (txt == null) {
            return DkimResult.of(Status.PERMERROR, "No key record at " + name, signature);
        }
        DkimKeyRecord key;
        try {
            key = DkimKeyRecord.parse(txt);
        } catch (DkimFormatException e) {
            return DkimResult.of(Status.PERMERROR, e.getMessage(), signature);
        }
        String refusal = refusal(signature, key);
        if (refusal != null) {
            return DkimResult.of(Status.PERMERROR, refusal, signature);
        }
        Status failed = key.testing() ? Status.NEUTRAL : Status.FAIL;
        String testing = key.testing() ? " (key in testing mode)" : "";
        byte[] bodyHash = body.finish();
        if (signature.bodyLength().isPresent() && signature.bodyLength().getAsLong() > body.canonicalLength()) {
            return DkimResult.of(failed, "Body shorter than l=" + testing, signature);
        }
        if (!MessageDigest.isEqual(bodyHash, signature.bodyHash())) {
            return DkimResult.of(failed, "Body hash did not verify" + testing, signature);
        }
        byte[] data = headers.signedData(signature.signedHeaders(), signature.headerCanonicalization(),
                signature.signatureWithoutB());
        boolean verified;
        try {
            verified = signature.algorithm().verify(key.publicKey(), data, signature.signature());
        } catch (GeneralSecurityException e) {
            // a b= of the wrong length for the key, say: no valid signature either
            verified = false;
        }
        return verified
                ? DkimResult.of(Status.PASS, "Signature verified", signature)
                : DkimResult.of(failed, "Signature did not verify" + testing, signature);
    }

    /** Why a key cannot verify this signature, or null. */
    private static String refusal(DkimSignature signature, DkimKeyRecord key) {
        if (key.revoked()) {
            return "Key revoked (empty p=)";
        }
        if (key.algorithm() != signature.algorithm()) {
            return "Key type k=" + key.algorithm().keyType() + " does not match a=" + signature.algorithm().tag();
        }
        if (key.strictIdentity() && !signature.identity().toLowerCase(Locale.ROOT).endsWith("@" + signature.domain())) {
            return "Key requires i= in d= itself (t=s)";
        }
        if (key.publicKey() instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                return "RSA key of " + bits + " bits, outside " + MIN_RSA_BITS + " to " + MAX_RSA_BITS;
            }
        }
        return null;
    }
}
