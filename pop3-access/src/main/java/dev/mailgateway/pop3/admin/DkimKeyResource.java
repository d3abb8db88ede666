package dev.mailgateway.pop3.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.DomainName;
import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;
import dev.mailgateway.common.auth.dkim.DkimKeyRecord;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.secret.SecretBox;
import dev.mailgateway.pop3.admin.AccountResource.Error;

/**
 * DKIM signing keys of the local domains (issue 19): made here, published by the operator in DNS,
 * used by the worker to sign relayed mail. The private key is stored sealed under
 * {@code mail.dkim.key} and never leaves the database through this API; the answers carry the TXT
 * record to publish.
 */
@Path("/api/domains/{domain}/dkim")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DkimKeyResource {

    public record NewKey(String selector, String algorithm) {
    }

    /**
     * A key as DNS publishes it (CONTRACT.md): {@code dnsValue} at {@code dnsName}, or {@code strings}, the same value cut
     * into the at most 255-octet character-strings a TXT record holds (RFC 1035 section 3.3.14).
     */
    public record KeyView(String selector, String algorithm, String dnsName, String dnsValue, List<String> strings) {
    }

    /** RFC 1035 section 3.3: one character-string of a TXT record holds at most 255 octets. */
    static final int TXT_STRING_OCTETS = 255;
    /** RFC 6376 section 3.1: a selector is one or more LDH labels. */
    private static final Pattern SELECTOR = Pattern.compile("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private final LocalDomains localDomains;
    private final Optional<SecretBox> box;
    private final Vertx vertx;
    private final Pool pool;

    @Inject
    public DkimKeyResource(LocalDomains localDomains, MailConfig config, Vertx vertx, Pool pool) {
        this(localDomains, SecretBox.of(config.dkim().key(), MailConfig.Dkim.SETTING), vertx, pool);
    }

    DkimKeyResource(LocalDomains localDomains, Optional<SecretBox> box, Vertx vertx, Pool pool) {
        this.localDomains = localDomains;
        this.box = box;
        this.vertx = vertx;
        this.pool = pool;
    }

    @GET
    public Uni<Response> list(@PathParam("domain") String domain) {
        Optional<String> local = localDomain(domain);
        if (local.isEmpty()) {
            return AccountResource.status(Status.NOT_FOUND, "not a local domain");
        }
        return pool.preparedQuery("select selector, algorithm, public_key from dkim_key where domain = $1 order by selector")
                .execute(Tuple.of(local.get()))
                .map(rows -> {
                    List<KeyView> keys = new ArrayList<>();
                    for (Row row : rows) {
                        keys.add(view(local.get(), row.getString(0), DkimAlgorithm.fromTag(row.getString(1)).orElseThrow(),
                                row.getBuffer(2).getBytes()));
                    }
                    return Response.ok(keys).build();
                });
    }

    @POST
    public Uni<Response> create(@PathParam("domain") String domain, NewKey request) {
        if (box.isEmpty()) {
            return AccountResource.status(Status.CONFLICT, "DKIM keys need " + MailConfig.Dkim.SETTING + " (MAIL_DKIM_KEY) to seal them");
        }
        Optional<String> local = localDomain(domain);
        if (local.isEmpty()) {
            return AccountResource.status(Status.NOT_FOUND, "not a local domain");
        }
        if (request == null || request.selector() == null || !isSelector(request.selector(), local.get())) {
            return AccountResource.status(Status.BAD_REQUEST, "selector must be DNS labels (letters, digits, hyphens) of at most 63 octets");
        }
        Optional<DkimAlgorithm> algorithm = request.algorithm() == null ? Optional.empty() : DkimAlgorithm.fromTag(request.algorithm());
        if (algorithm.isEmpty()) {
            return AccountResource.status(Status.BAD_REQUEST, "algorithm must be rsa-sha256 or ed25519-sha256");
        }
        String selector = request.selector().toLowerCase(Locale.ROOT);
        // a 2048-bit RSA key takes a good part of a second to find: never on the event loop
        return vertx.executeBlocking(Uni.createFrom().item(() -> DkimKeyPair.generate(algorithm.get())))
                .chain(pair -> pool.preparedQuery("insert into dkim_key (domain, selector, algorithm, private_key, public_key)"
                                + " values ($1, $2, $3, $4, $5) on conflict (domain, selector) do nothing returning id")
                        .execute(Tuple.of(local.get(), selector, algorithm.get().tag(),
                                Buffer.buffer(box.get().seal(pair.privateKey().getEncoded())),
                                Buffer.buffer(pair.publicKey().getEncoded())))
                        .map(rows -> rows.rowCount() == 0
                                ? Response.status(Status.CONFLICT).entity(new Error("selector exists: delete it first")).build()
                                : Response.status(Status.CREATED)
                                        .entity(view(local.get(), selector, algorithm.get(), pair.publicKey().getEncoded())).build()));
    }

    @DELETE
    @Path("{selector}")
    public Uni<Response> delete(@PathParam("domain") String domain, @PathParam("selector") String selector) {
        Optional<String> local = localDomain(domain);
        if (local.isEmpty()) {
            return AccountResource.status(Status.NOT_FOUND, "not a local domain");
        }
        return pool.preparedQuery("delete from dkim_key where domain = $1 and selector = $2")
                .execute(Tuple.of(local.get(), selector.toLowerCase(Locale.ROOT)))
                .map(rows -> rows.rowCount() == 0 ? Response.status(Status.NOT_FOUND).entity(new Error("no such key")).build()
                        : Response.noContent().build());
    }

    /** The domain in the form the local domains are kept in, when it is one of them. */
    private Optional<String> localDomain(String domain) {
        try {
            String ascii = DomainName.toAscii(domain);
            return localDomains.isLocal(ascii) ? Optional.of(ascii) : Optional.empty();
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    /** Its DNS name ({@code selector._domainkey.domain}) must fit a domain name too: 255 octets on the wire, 253 as text. */
    private static boolean isSelector(String selector, String domain) {
        return SELECTOR.matcher(selector).matches()
                && selector.length() + "._domainkey.".length() + domain.length() <= DomainName.MAX_DOMAIN - 2;
    }

    static KeyView view(String domain, String selector, DkimAlgorithm algorithm, byte[] spki) {
        String value = DkimKeyRecord.of(DkimKeyPair.decodePublic(algorithm, spki)).toTxt();
        List<String> strings = new ArrayList<>();
        for (int start = 0; start < value.length(); start += TXT_STRING_OCTETS) {
            strings.add(value.substring(start, Math.min(value.length(), start + TXT_STRING_OCTETS)));
        }
        return new KeyView(selector, algorithm.tag(), selector + "._domainkey." + domain, value, strings);
    }
}
