package dev.mailgateway.common.auth.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/**
 * Signs messages for one domain with one key (RFC 6376 section 5; RFC 8463
 * for Ed25519): relaxed/relaxed canonicalization, the fields of
 * {@link #SIGNED_HEADERS} that are present, and From once more than it
 * occurs, so a From added later breaks the signature (oversigning, section
 * 8.15). The result is the {@code DKIM-Signature} field to put on top of the
 * message, folded, CRLF included; the message itself is left as it is.
 */
public final class DkimSigner {

    /**
     * The fields signed when present, each as often as it occurs: those of RFC 6376 section 5.4.1's
     * list that the author's side writes, and the MIME fields that say how to read the body
     * (Resent-* and List-* belong to those who resend the message later).
     */
    public static final List<String> SIGNED_HEADERS = List.of(
            "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "reply-to", "in-reply-to", "references");
    /** RFC 5322 section 2.1.1: lines should be at most 78 characters, CRLF excluded. */
    private static final int FOLD_WIDTH = 78;
    /** Read size for stored messages, as the relay streams them. */
    private static final int READ_CHUNK = 64 * 1024;
    private static final String FIELD_NAME = "DKIM-Signature:";

    private final DkimAlgorithm algorithm;
    private final String domain;
    private final String selector;
    private final PrivateKey key;

    /**
     * @param domain   d=, in its ASCII form
     * @param selector s=: the key record is at {@code selector._domainkey.domain}
     */
    public DkimSigner(DkimAlgorithm algorithm, String domain, String selector, PrivateKey key) {
        this.algorithm = algorithm;
        this.domain = DkimSignature.domainName(domain, "d=").toLowerCase(Locale.ROOT);
        this.selector = DkimSignature.domainName(selector, "s=");
        this.key = key;
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
        return signature(splitter.headers(), body.finish(), now);
    }

    /** The signature field of a stored message, read {@value #READ_CHUNK} octets at a time. */
    public Future<Buffer> sign(MessageSource message, Instant now) {
        MessageSplitter splitter = new MessageSplitter();
        BodyHasher body = Canonicalization.RELAXED.bodyHasher(DkimAlgorithm.sha256(), -1);
        return read(message, 0, splitter, body).map(done -> signature(splitter.headers(), body.finish(), now));
    }

    private static Future<Void> read(MessageSource message, long offset, MessageSplitter splitter, BodyHasher body) {
        return message.read(offset, READ_CHUNK).compose(chunk -> {
            body.update(splitter.feed(chunk));
            return chunk.length() < READ_CHUNK
                    ? Future.succeededFuture()
                    : read(message, offset + chunk.length(), splitter, body);
        });
    }

    private Buffer signature(HeaderSection headers, byte[] bodyHash, Instant now) {
        List<String> signed = signedHeaders(headers);
        Folder field = new Folder(FIELD_NAME);
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
            throw new IllegalArgumentException("Key does not sign " + algorithm.tag(), e);
        }
        return Buffer.buffer(field + "\r\n");
    }

    private static List<String> signedHeaders(HeaderSection headers) {
        if (headers.count("from") == 0) {
            throw new DkimFormatException("Message without a From field: RFC 6376 section 5.4 requires signing it");
        }
        List<String> signed = new ArrayList<>();
        for (String name : SIGNED_HEADERS) {
            for (int i = headers.count(name); i > 0; i--) {
                signed.add(name);
            }
        }
        signed.add("from");
        return signed;
    }

    /** Builds a field folded before a token that would pass {@link #FOLD_WIDTH}; continuation lines start with a space. */
    private static final class Folder {
        private final StringBuilder text = new StringBuilder();
        private int line;

        Folder(String start) {
            text.append(start);
            line = start.length();
        }

        void add(String token, boolean spaced) {
            if (line + (spaced ? 1 : 0) + token.length() > FOLD_WIDTH) {
                text.append("\r\n ");
                line = 1;
            } else if (spaced) {
                text.append(' ');
                line++;
            }
            text.append(token);
            line += token.length();
        }

        /** A base64 value, which may be folded anywhere (RFC 6376 section 3.5, b=). */
        void addFolded(String value) {
            int at = 0;
            while (at < value.length()) {
                if (line >= FOLD_WIDTH) {
                    text.append("\r\n ");
                    line = 1;
                }
                int end = Math.min(value.length(), at + FOLD_WIDTH - line);
                text.append(value, at, end);
                line += end - at;
                at = end;
            }
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
