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

import org.jboss.logging.Logger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.ParsedRecords;
import dev.mailgateway.common.auth.dkim.DkimResult.Status;

/**
 * Verifies the DKIM signatures of a message (RFC 6376 section 6), top to
 * bottom, up to {@link #MAX_SIGNATURES} of them. Per signature: its tags
 * ({@link DkimSignature}), its expiry, its key record (fetched through a
 * {@link DkimKeyLookup}, without blocking), the key's type and size, the
 * body hash, then the header signature.
 *
 * <p>The key lookups start as soon as the signatures are parsed, so DNS
 * answers while the body is hashed. The body is hashed on the calling
 * thread, once per canonicalization and l= in use, not once per signature,
 * into immutable {@link BodyDigest}s; the checks that run when a lookup
 * completes, possibly on another thread, read only those and the header
 * section, which is immutable too.
 *
 * <p>Security-sensitive: the message, its signatures and the key records are
 * all hostile input. Every size is bounded (the header section, each tag
 * list, h=, the number of signatures, the RSA key size and exponent, the
 * body hashed past l=), and every refusal is a result with a reason, never
 * an exception: even a bug here costs one signature a permerror, not the
 * caller its message.
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
    /**
     * Longest RSA public exponent, in bits. RFC 8017 section 3.1 allows any e below the modulus, but
     * verifying costs a modular squaring per bit of e: 17 for the usual 65537, over 2000 for an e as
     * long as a 2048-bit modulus, which makes each message signed for such a published key cost its
     * verifier more than signing costs the sender. 33 bits admit every e up to 2^32 + 1; the JDK and
     * OpenSSL cap e at 64 bits only for moduli over 3072 bits.
     */
    public static final int MAX_RSA_EXPONENT_BITS = 33;

    private static final Logger LOG = Logger.getLogger(DkimVerifier.class);
    private static final String SIGNATURE_FIELD = "dkim-signature";

    private final DkimKeyLookup lookup;
    private final Clock clock;
    private final ParsedRecords<DkimKeyRecord> keyRecords = new ParsedRecords<>();

    /** @param clock the time x= is compared with */
    public DkimVerifier(DkimKeyLookup lookup, Clock clock) {
        this.lookup = lookup;
        this.clock = clock;
    }

    /**
     * The result of each signature, top to bottom; an empty list for a message without any (a header
     * section over {@link MessageSplitter#MAX_HEADER_SECTION} is one permerror only when a signature
     * field was among what was read of it). Past {@link #MAX_SIGNATURES}, one more result, a
     * permerror, stands for those left unverified. The future never fails, and nothing is thrown.
     */
    public Future<List<DkimResult>> verify(Buffer message) {
        try {
            return verifyAll(message);
        } catch (RuntimeException e) {
            return Future.succeededFuture(List.of(unexpected(e, null)));
        }
    }

    private Future<List<DkimResult>> verifyAll(Buffer message) {
        MessageSplitter splitter = new MessageSplitter();
        Buffer body;
        try {
            body = splitter.feed(message);
        } catch (DkimFormatException e) {
            // what was kept of the section tells whether anyone signed; unsigned mail has no DKIM result to report
            boolean signed = !splitter.headers().named(SIGNATURE_FIELD).isEmpty();
            return Future.succeededFuture(signed ? List.of(DkimResult.of(Status.PERMERROR, e.getMessage(), null)) : List.of());
        }
        return verifySplit(splitter.headers(), body);
    }

    /**
     * As {@link #verify(Buffer)}, for a message its caller split already ({@link MessageSplitter}), its header
     * section whole (within {@link MessageSplitter#MAX_HEADER_SECTION}): the section is not parsed twice.
     */
    public Future<List<DkimResult>> verify(HeaderSection headers, Buffer body) {
        try {
            return verifySplit(headers, body);
        } catch (RuntimeException e) {
            return Future.succeededFuture(List.of(unexpected(e, null)));
        }
    }

    private Future<List<DkimResult>> verifySplit(HeaderSection headers, Buffer body) {
        List<HeaderField> fields = headers.named(SIGNATURE_FIELD);
        List<Started> started = new ArrayList<>();
        for (HeaderField field : fields.subList(0, Math.min(fields.size(), MAX_SIGNATURES))) {
            started.add(start(field));
        }
        Map<BodyKey, BodyDigest> digests = hashBody(started, body);
        List<Future<DkimResult>> results = new ArrayList<>();
        for (Started one : started) {
            results.add(finish(one, headers, digests));
        }
        if (fields.size() > MAX_SIGNATURES) {
            results.add(Future.succeededFuture(DkimResult.of(Status.PERMERROR, (fields.size() - MAX_SIGNATURES)
                    + " more signatures not verified: the limit is " + MAX_SIGNATURES, null)));
        }
        // every future in results succeeds: finish turns whatever happens into a result
        return Future.all(results).map(all -> results.stream().map(Future::result).toList());
    }

    /**
     * A signature parsed and its key lookup under way, or its result already known (it did not parse,
     * has expired, or could not be started).
     */
    private record Started(DkimSignature signature, String keyName, Future<String> keyRecord, DkimResult result) {

        static Started decided(DkimResult result) {
            return new Started(null, null, null, result);
        }
    }

    private Started start(HeaderField field) {
        DkimSignature signature = null;
        try {
            signature = DkimSignature.parse(field);
            if (signature.expiry().isPresent() && signature.expiry().getAsLong() < clock.instant().getEpochSecond()) {
                return Started.decided(DkimResult.of(Status.POLICY, "Signature expired (x=)", signature));
            }
            String name = signature.selector() + "._domainkey." + signature.domain();
            return new Started(signature, name, lookUp(name), null);
        } catch (DkimFormatException e) {
            return Started.decided(DkimResult.of(Status.PERMERROR, e.getMessage(), signature));
        } catch (RuntimeException e) {
            return Started.decided(unexpected(e, signature));
        }
    }

    /** The lookup's answer, a failed future (a temperror) when the lookup threw or gave no future at all. */
    private Future<String> lookUp(String name) {
        try {
            Future<String> record = lookup.txt(name);
            return record != null ? record : Future.failedFuture("Key lookup gave no future");
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Bodies are hashed alike for signatures of the same body canonicalization and l=. */
    private record BodyKey(Canonicalization canonicalization, long limit) {
        static BodyKey of(DkimSignature signature) {
            return new BodyKey(signature.bodyCanonicalization(), signature.bodyLength().orElse(-1));
        }
    }

    private static Map<BodyKey, BodyDigest> hashBody(List<Started> started, Buffer body) {
        Map<BodyKey, BodyDigest> digests = new HashMap<>();
        for (Started one : started) {
            if (one.result() == null) {
                digests.computeIfAbsent(BodyKey.of(one.signature()), key -> {
                    BodyHasher hasher = key.canonicalization().bodyHasher(DkimAlgorithm.sha256(), key.limit());
                    hasher.update(body);
                    return hasher.finish();
                });
            }
        }
        return Map.copyOf(digests);
    }

    /** The signature's result: once its key record is there, checked; whatever happens, a result. */
    private Future<DkimResult> finish(Started started, HeaderSection headers, Map<BodyKey, BodyDigest> digests) {
        if (started.result() != null) {
            return Future.succeededFuture(started.result());
        }
        DkimSignature signature = started.signature();
        try {
            BodyDigest body = digests.get(BodyKey.of(signature));
            return started.keyRecord().transform(txt -> Future.succeededFuture(result(signature, headers, body, started.keyName(), txt)));
        } catch (RuntimeException e) {
            return Future.succeededFuture(unexpected(e, signature));
        }
    }

    private DkimResult result(DkimSignature signature, HeaderSection headers, BodyDigest body, String name,
            AsyncResult<String> txt) {
        if (txt.failed()) {
            return DkimResult.of(Status.TEMPERROR, "Key lookup of " + name + " failed", signature);
        }
        try {
            return check(signature, headers, body, name, txt.result());
        } catch (RuntimeException e) {
            return unexpected(e, signature);
        }
    }

    /** A bug of ours, or a provider's, met on hostile input: logged, and a permerror so the signature counts for nothing. */
    private static DkimResult unexpected(RuntimeException e, DkimSignature signature) {
        LOG.warn("DKIM verification failed unexpectedly", e);
        return DkimResult.of(Status.PERMERROR, "Signature could not be checked (" + e.getClass().getSimpleName() + ")", signature);
    }

    private DkimResult check(DkimSignature signature, HeaderSection headers, BodyDigest body, String name, String txt) {
        if (txt == null) {
            return DkimResult.of(Status.PERMERROR, "No key record at " + name, signature);
        }
        DkimKeyRecord key;
        try {
            key = keyRecords.parse(txt, DkimKeyRecord::parse);
        } catch (DkimFormatException e) {
            return DkimResult.of(Status.PERMERROR, e.getMessage(), signature);
        }
        String refusal = refusal(signature, key);
        if (refusal != null) {
            return DkimResult.of(Status.PERMERROR, refusal, signature);
        }
        Status failed = key.testing() ? Status.NEUTRAL : Status.FAIL;
        String testing = key.testing() ? " (key in testing mode)" : "";
        if (!body.coversLimit()) {
            return DkimResult.of(failed, "Body shorter than l=" + testing, signature);
        }
        if (!MessageDigest.isEqual(body.hash(), signature.bodyHash())) {
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
            int exponentBits = rsa.getPublicExponent().bitLength();
            if (exponentBits > MAX_RSA_EXPONENT_BITS) {
                return "RSA public exponent of " + exponentBits + " bits, over " + MAX_RSA_EXPONENT_BITS;
            }
        }
        return null;
    }
}
