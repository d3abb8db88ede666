package dev.mailgateway.worker.signing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;
import dev.mailgateway.common.auth.dkim.DkimSigner;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.secret.SecretBox;

/**
 * The DKIM keys a local domain signs with: those pop3-access's admin API made (table dkim_key), opened
 * with {@code mail.dkim.key}. A domain signs with its newest key of each algorithm, so a domain with an
 * RSA and an Ed25519 key signs twice (RFC 8463 section 4: Ed25519 beside RSA until verifiers all know
 * it), and a new selector takes over from the old at once, the old still published for mail on its way.
 * Keys are read again after {@link #REFRESH}; started with the service, so a malformed
 * {@code mail.dkim.key} stops the start, not the first message.
 */
@Startup
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    /** How long a domain's keys are used before they are read again: a key removed through the API stops signing within this. */
    static final Duration REFRESH = Duration.ofSeconds(60);

    /** A domain's signers and when they were read (System.nanoTime). */
    private record Loaded(long at, List<DkimSigner> signers) {
    }

    private final Pool pool;
    private final Optional<SecretBox> box;
    /** One entry per local domain at most: the caller asks only for local domains. */
    private final Map<String, Loaded> byDomain = new ConcurrentHashMap<>();

    @Inject
    public SigningKeys(Pool pool, MailConfig config) {
        this(pool, SecretBox.of(config.dkim().key(), MailConfig.Dkim.SETTING));
    }

    SigningKeys(Pool pool, Optional<SecretBox> box) {
        this.pool = pool;
        this.box = box;
        if (box.isEmpty()) {
            LOG.infof("%s is unset: relayed mail is not DKIM-signed", MailConfig.Dkim.SETTING);
        }
    }

    /**
     * The signers of a local domain, newest key of each algorithm first; none when it has no key, or its
     * keys were sealed under another {@code mail.dkim.key}. A failed future is database trouble.
     */
    public Future<List<DkimSigner>> of(String domain) {
        if (box.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        long now = System.nanoTime();
        Loaded cached = byDomain.get(domain);
        if (cached != null && now - cached.at() < REFRESH.toNanos()) {
            return Future.succeededFuture(cached.signers());
        }
        // values are cached, not futures: a query's future completes on the context that asked (Hibernate
        // Reactive's session, in intake), and two first asks for one domain cost two small queries
        return load(domain).onSuccess(signers -> byDomain.put(domain, new Loaded(now, signers)));
    }

    private Future<List<DkimSigner>> load(String domain) {
        return pool.preparedQuery("select selector, algorithm, private_key from dkim_key where domain = $1 order by created_at desc, id desc")
                .execute(Tuple.of(domain))
                .map(rows -> {
                    List<DkimSigner> signers = new ArrayList<>();
                    Set<DkimAlgorithm> seen = EnumSet.noneOf(DkimAlgorithm.class);
                    for (Row row : rows) {
                        Optional<DkimAlgorithm> algorithm = DkimAlgorithm.fromTag(row.getString("algorithm"));
                        if (algorithm.isPresent() && seen.add(algorithm.get())) {
                            signer(domain, row.getString("selector"), algorithm.get(), row.getBuffer("private_key").getBytes())
                                    .ifPresent(signers::add);
                        }
                    }
                    return List.copyOf(signers);
                });
    }

    private Optional<DkimSigner> signer(String domain, String selector, DkimAlgorithm algorithm, byte[] sealed) {
        Optional<byte[]> pkcs8 = box.get().open(sealed);
        if (pkcs8.isEmpty()) {
            LOG.warnf("DKIM key %s._domainkey.%s was sealed under another %s: mail from %s goes unsigned by it",
                    selector, domain, MailConfig.Dkim.SETTING, domain);
            return Optional.empty();
        }
        try {
            return Optional.of(new DkimSigner(algorithm, domain, selector, DkimKeyPair.decodePrivate(algorithm, pkcs8.get())));
        } catch (IllegalArgumentException e) {
            LOG.warnf("DKIM key %s._domainkey.%s cannot be read (%s): mail from %s goes unsigned by it", selector, domain, e, domain);
            return Optional.empty();
        }
    }
}
