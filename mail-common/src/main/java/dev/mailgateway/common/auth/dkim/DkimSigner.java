package dev.mailgateway.common.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.FieldFolder;
import dev.mailgateway.common.store.MessageSource;

/**
 * Signs messages for one domain with one key (RFC 6376 section 5; RFC 8463
 * for Ed25519): relaxed/relaxed canonicalization, and every field of
 * {@link #SIGNED_HEADERS} named once more than it occurs, absent ones once
 * (oversigning): the extra name selects nothing now (section 5.4.2), so a
 * field of that name added later, above or below, breaks the signature
 * instead of riding on it (section 8.15: a second From, Subject or Reply-To
 * shown to the reader in place of the signed one). The result is the
 * {@code DKIM-Signature} field to put on top of the message, folded, CRLF
 * included; the message itself is left as it is.
 */
public final class DkimSigner {

    /**
     * The fields signed, each once more than it occurs: those of RFC 6376 section 5.4.1's list that
     * the author's side writes, and the MIME fields that say how to read the body (Resent-* and
     * List-* belong to those who resend the message later, and must stay addable).
     */
    public static final List<String> SIGNED_HEADERS = List.of(
            "from", "sender", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "reply-to", "in-reply-to", "references");
    private static final String FIELD_NAME = "DKIM-Signature:";

    private final DkimAlgorithm algorithm;
    private final String domain;
    private final String selector;
    private final PrivateKey key;

    /**
     * @param domain   d=; an IDN is written in its A-labels
     * @param selector s=: the key record is at {@code selector._domainkey.domain}
     * @throws IllegalArgumentException when the key is not one for this algorithm: found now, when the
     *                                  signer is configured, not on the first message it signs
     * @throws DkimFormatException      when the domain or selector is no domain name
     */
    public DkimSigner(DkimAlgorithm algorithm, String domain, String selector, PrivateKey key) {
        if (DkimAlgorithm.ofKey(key).orElse(null) != algorithm) {
            throw new IllegalArgumentException("A " + key.getAlgorithm() + " key does not sign " + algorithm.tag());
        }
        this.algorithm = algorithm;
        this.domain = DkimSignature.domainName(domain, "d=");
        this.selector = DkimSignature.domainName(selector, "s=");
        this.key = key;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * The signature field of a message in memory.
     *
     * @throws DkimFormatException when the message has no From field or its header section is over
     *                             {@link MessageSplitter#MAX_HEADER_SECTION}
     */
    public Buffer sign(Buffer message, Instant now) {
        MessageSplitter splitter = new MessageSplitter();
        BodyHasher body = Canonicalization.RELAXED.bodyHasher(DkimAlgorithm.sha256(), -1);
        body.update(splitter.feed(message));
        return signature(splitter.headers(), body.finish().hash(), now);
    }

    /**
     * The signature field of a stored message, read {@value MessageSource#CHUNK} octets at a time.
     *
     * @param size the message's length in octets, as stored with it; a message that ends before fails the result
     */
    public Future<Buffer> sign(MessageSource message, long size, Instant now) {
        MessageSplitter splitter = new MessageSplitter();
        BodyHasher body = Canonicalization.RELAXED.bodyHasher(DkimAlgorithm.sha256(), -1);
        return MessageReader.readAll(message, size, chunk -> body.update(splitter.feed(chunk)))
                .map(done -> signature(splitter.headers(), body.finish().hash(), now));
    }

    private Buffer signature(HeaderSection headers, byte[] bodyHash, Instant now) {
        List<String> signed = signedHeaders(headers);
        FieldFolder field = new FieldFolder(FIELD_NAME);
        field.add("v=1;", true);
        field.add("a=" + algorithm.tag() + ";", true);
        field.add("c=relaxed/relaxed;", true);
        field.add("d=" + domain + ";", true);
        field.add("s=" + selector + ";", true);
        field.add("t=" + now.getEpochSecond() + ";", true);
        for (int i = 0; i < signed.size(); i++) {
            String name = signed.get(i) + (i == signed.size() - 1 ? ";" : "");
            field.add(i == 0 ? "h=" + name : ":" + name, i == 0);
        }
        field.add("bh=" + Base64.getEncoder().encodeToString(bodyHash) + ";", true);
        field.add("b=", true);
        byte[] withoutB = field.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = headers.signedData(signed, Canonicalization.RELAXED, withoutB);
        try {
            field.addFolded(Base64.getEncoder().encodeToString(algorithm.sign(key, data)));
        } catch (GeneralSecurityException e) {
            // the constructor checked the key's type: this is the provider's trouble, not the message's
            throw new IllegalStateException("Signing with " + algorithm.tag() + " failed", e);
        }
        return Buffer.buffer(field + "\r\n");
    }

    private static List<String> signedHeaders(HeaderSection headers) {
        if (headers.count("from") == 0) {
            throw new DkimFormatException("Message without a From field: RFC 6376 section 5.4 requires signing it");
        }
        List<String> signed = new ArrayList<>();
        for (String name : SIGNED_HEADERS) {
            for (int i = headers.count(name); i >= 0; i--) {
                signed.add(name);
            }
        }
        return signed;
    }
}
