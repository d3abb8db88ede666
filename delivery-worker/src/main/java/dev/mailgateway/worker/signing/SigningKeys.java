package dev.mailgateway.worker.signing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import dev.mailgateway.common.auth.dkim.DkimKeyRecord;
import dev.mailgateway.common.auth.dkim.DkimSigner;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsAnswer;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.secret.SecretBox;

/**
 * The DKIM keys a local domain signs with: those pop3-access's admin API made (table dkim_key), opened
 * with {@code mail.dkim.key}, and published: a key signs only once DNS serves its record at
 * {@code selector._domainkey.domain}, so a key just made, whose record the operator has yet to
 * publish, signs nothing that would fail DKIM everywhere meanwhile. When DNS cannot say (a timeout),
 * the key is used: it was made to sign, and unsigned mail fares no better. A domain signs with its
 * newest published key of each algorithm, so a domain with an RSA and an Ed25519 key signs twice
 * (RFC 8463 section 4: Ed25519 beside RSA until verifiers all know it), and a new selector takes over
 * from the old as soon as it is published. Keys are read again after {@link #REFRESH}. Started with the
 * service, so a malformed {@code mail.dkim.key} stops the start, not the first message.
 */
@Startup
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    /** How long a domain's keys are used before they are read again: a key removed or published takes effect within this. */
    static final Duration REFRESH = Duration.ofSeconds(60);

    /** A domain's signers and when they were read (System.nanoTime). */
    private record Loaded(long at, List<DkimSigner> signers) {
    }

    /** One stored key, opened. */
    private record StoredKey(String selector, DkimAlgorithm algorithm, DkimSigner signer, byte[] publicKey) {
    }

    private final Pool pool;
    private final DnsResolver resolver;
    private final Optional<SecretBox> box;
    /** One entry per local domain at most: the caller asks only for local domains. */
    private final Map<String, Loaded> byDomain = new ConcurrentHashMap<>();

    @Inject
    public SigningKeys(Pool pool, DnsResolver resolver, MailConfig config) {
        this(pool, resolver, SecretBox.of(config.dkim().key(), MailConfig.Dkim.SETTING));
    }

    SigningKeys(Pool pool, DnsResolver resolver, Optional<SecretBox> box) {
        this.pool = pool;
        this.resolver = resolver;
        this.box = box;
        if (box.isEmpty()) {
            LOG.infof("%s is unset: relayed mail is not DKIM-signed", MailConfig.Dkim.SETTING);
        }
    }

    /**
     * The signers of a local domain, one per algorithm; none when it has no published key that opens.
     * A failed future is database trouble, and nothing else.
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
        // values are cached, not futures: a query's future completes on the context that asked, and two
        // first asks for one domain cost two small queries
        return pool.preparedQuery("select selector, algorithm, private_key, public_key from dkim_key where domain = $1"
                        + " order by created_at desc, id desc")
                .execute(Tuple.of(domain))
                .compose(rows -> {
                    List<StoredKey> keys = new ArrayList<>();
                    rows.forEach(row -> opened(domain, row).ifPresent(keys::add));
                    return published(domain, keys);
                })
                .onSuccess(signers -> byDomain.put(domain, new Loaded(now, signers)));
    }

    /** The row's key, opened; empty, with a warning, for a row that cannot be (sealed under another key, damaged). */
    private Optional<StoredKey> opened(String domain, Row row) {
        String selector = row.getString("selector");
        try {
            DkimAlgorithm algorithm = DkimAlgorithm.fromTag(row.getString("algorithm")).orElseThrow();
            Optional<byte[]> pkcs8 = box.get().open(row.getBuffer("private_key").getBytes());
            if (pkcs8.isEmpty()) {
                LOG.warnf("DKIM key %s._domainkey.%s was sealed under another %s: it signs nothing",
                        selector, domain, MailConfig.Dkim.SETTING);
                return Optional.empty();
            }
            DkimSigner signer = new DkimSigner(algorithm, domain, selector, DkimKeyPair.decodePrivate(algorithm, pkcs8.get()));
            return Optional.of(new StoredKey(selector, algorithm, signer, row.getBuffer("public_key").getBytes()));
        } catch (RuntimeException e) {
            LOG.warnf("DKIM key %s._domainkey.%s cannot be read (%s): it signs nothing", selector, domain, e);
            return Optional.empty();
        }
    }

    /** The newest key of each algorithm whose record DNS serves (or cannot say); the lookups never fail. */
    private Future<List<DkimSigner>> published(String domain, List<StoredKey> keys) {
        List<Future<Boolean>> lookups = new ArrayList<>();
        for (StoredKey key : keys) {
            lookups.add(resolver.txt(key.selector() + "._domainkey." + domain).map(answer -> isPublished(answer, key)));
        }
        return Future.join(lookups).transform(done -> {
            List<DkimSigner> signers = new ArrayList<>();
            List<DkimAlgorithm> taken = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                StoredKey key = keys.get(i);
                if (!taken.contains(key.algorithm()) && Boolean.TRUE.equals(lookups.get(i).result())) {
                    taken.add(key.algorithm());
                    signers.add(key.signer());
                }
            }
            return Future.succeededFuture(List.copyOf(signers));
        });
    }

    /** Whether the answer publishes this key; true when DNS could not answer. */
    private static boolean isPublished(DnsAnswer<String> answer, StoredKey key) {
        if (answer.isTemporary()) {
            return true;
        }
        for (String txt : answer.records()) {
            try {
                DkimKeyRecord record = DkimKeyRecord.parse(txt);
                if (!record.revoked() && Arrays.equals(record.publicKey().getEncoded(), key.publicKey())) {
                    return true;
                }
            } catch (RuntimeException notOurs) {
                // another record at the name, or a broken one: not this key's
            }
        }
        return false;
    }
}
