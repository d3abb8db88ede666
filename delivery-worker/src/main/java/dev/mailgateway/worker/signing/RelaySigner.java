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
 * DKIM-signs mail that local users relay (issue 19): when the From field names one author domain, it
 * is the logged-in user's own domain, and that domain has keys, a {@code DKIM-Signature} field per key
 * goes on top of the message before it is stored, relaxed/relaxed with oversigning ({@link DkimSigner}).
 * The user's own domain only: on a gateway of several domains, a user of one must not get another's
 * signature on a From of that other domain. Signed once at intake, as OpenDKIM signs in Postfix's
 * cleanup: every retry and every destination then sends the same bytes, exactly those stored, and the
 * signature covers them. Mail that cannot be signed goes unsigned, and receivers judge it by SPF as
 * before: nothing here may hold the message, so only database trouble reading the keys fails the
 * future, for intake's retry.
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
     * The message with its signatures on top, or the message itself when it is not to be signed.
     *
     * @param authUser the logged-in user's mailbox ({@code local@domain}) that sent it
     */
    public Future<byte[]> sign(byte[] message, String authUser) {
        Buffer content;
        Optional<String> domain;
        try {
            content = Buffer.buffer(message);
            domain = signingDomain(content, authUser);
        } catch (RuntimeException e) {
            LOG.warnf("relayed message left unsigned: %s", e.toString());
            return Future.succeededFuture(message);
        }
        if (domain.isEmpty()) {
            return Future.succeededFuture(message);
        }
        return keys.of(domain.get()).compose(signers -> signers.isEmpty() ? Future.succeededFuture(message)
                // an RSA-2048 signature is a millisecond of CPU: off the event loop
                : vertx.executeBlocking(() -> signed(content, signers, domain.get()), false)
                        .otherwise(e -> {
                            LOG.warnf("mail from %s left unsigned: %s", domain.get(), e.toString());
                            return message;
                        }));
    }

    /** The From field's one domain when it is the user's own and local; empty for any other message. */
    private Optional<String> signingDomain(Buffer message, String authUser) {
        HeaderSection headers;
        try {
            MessageSplitter splitter = new MessageSplitter();
            splitter.feed(message);
            headers = splitter.headers();
        } catch (DkimFormatException overLimit) {
            return Optional.empty();
        }
        AuthorDomains.Authors authors = AuthorDomains.of(headers);
        String userDomain = authUser.substring(authUser.lastIndexOf('@') + 1);
        if (authors.status() != AuthorDomains.Authors.Status.FOUND || authors.domains().size() != 1
                || !authors.domains().get(0).equals(userDomain) || !localDomains.isLocal(userDomain)) {
            return Optional.empty();
        }
        return Optional.of(userDomain);
    }

    private byte[] signed(Buffer message, List<DkimSigner> signers, String domain) {
        Buffer out = Buffer.buffer(message.length() + 1024);
        Instant now = Instant.now();
        for (DkimSigner signer : signers) {
            try {
                out.appendBuffer(signer.sign(message, now));
                metrics.dkimSigned(signer.algorithm().tag());
            } catch (RuntimeException e) {
                LOG.warnf("mail from %s not signed with %s: %s", domain, signer.algorithm().tag(), e.getMessage());
            }
        }
        return out.appendBuffer(message).getBytes();
    }
}
