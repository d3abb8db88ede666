package dev.mailgateway.worker.signing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.auth.AuthorDomains;
import dev.mailgateway.common.auth.dkim.DkimFormatException;
import dev.mailgateway.common.auth.dkim.DkimSigner;
import dev.mailgateway.common.auth.dkim.HeaderSection;
import dev.mailgateway.common.auth.dkim.MessageSplitter;
import dev.mailgateway.worker.WorkerMetrics;

/**
 * DKIM-signs mail that local users relay (issue 19): when the From field names one author domain and
 * it is a local domain with keys, a {@code DKIM-Signature} field per key goes on top of the message
 * before it is stored, relaxed/relaxed with oversigning ({@link DkimSigner}). Signed once at intake,
 * as OpenDKIM signs in Postfix's cleanup: every retry and every destination then sends the same bytes,
 * exactly those stored, and the signature covers them. Mail that cannot be signed (no single local
 * author domain, no key, a header section over the signer's limit) goes unsigned; receivers judge it
 * by SPF and their policy, as before.
 */
@ApplicationScoped
public class RelaySigner {

    private static final Logger LOG = Logger.getLogger(RelaySigner.class);

    private final LocalDomains localDomains;
    private final SigningKeys keys;
    private final Vertx vertx;
    private final WorkerMetrics metrics;

    public RelaySigner(LocalDomains localDomains, SigningKeys keys, Vertx vertx, WorkerMetrics metrics) {
        this.localDomains = localDomains;
        this.keys = keys;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /**
     * The message with its signatures on top, or the message itself when it is not to be signed. A failed
     * future is database trouble reading the keys, for the caller's retry.
     */
    public Future<byte[]> sign(byte[] message) {
        Buffer content = Buffer.buffer(message);
        Optional<String> domain = signingDomain(content);
        if (domain.isEmpty()) {
            return Future.succeededFuture(message);
        }
        return keys.of(domain.get()).compose(signers -> signers.isEmpty() ? Future.succeededFuture(message)
                // an RSA-2048 signature is a millisecond of CPU: off the event loop
                : vertx.executeBlocking(() -> signed(content, signers, domain.get()), false));
    }

    /** The From field's one domain when it is local; empty for any other message. */
    private Optional<String> signingDomain(Buffer message) {
        HeaderSection headers;
        try {
            MessageSplitter splitter = new MessageSplitter();
            splitter.feed(message);
            headers = splitter.headers();
        } catch (DkimFormatException overLimit) {
            return Optional.empty();
        }
        return AuthorDomains.of(headers).filter(domains -> domains.size() == 1).map(domains -> domains.get(0))
                .filter(localDomains::isLocal);
    }

    private byte[] signed(Buffer message, List<DkimSigner> signers, String domain) {
        Buffer out = Buffer.buffer(message.length() + 1024);
        Instant now = Instant.now();
        for (DkimSigner signer : signers) {
            try {
                out.appendBuffer(signer.sign(message, now));
                metrics.dkimSigned(signer.algorithm().tag());
            } catch (DkimFormatException | IllegalStateException e) {
                LOG.warnf("mail from %s not signed with %s: %s", domain, signer.algorithm().tag(), e.getMessage());
            }
        }
        return out.appendBuffer(message).getBytes();
    }
}
