package dev.mailgateway.worker.remote;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.core.dns.MxRecord;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.DeliveryConfig;

/**
 * Finds where a domain's mail goes, as RFC 5321 section 5.1 says, without
 * blocking: MX records by preference (equal preferences shuffled, to spread
 * load), each MX host's A then AAAA addresses; no MX: the domain's own
 * addresses (implicit MX); a null MX (RFC 7505) or a domain that does not
 * exist: permanent; a resolver that fails or does not answer: temporary,
 * after every configured resolver was asked.
 */
@ApplicationScoped
public class MxResolver {

    static final SmtpReply NULL_MX = SmtpReply.of(556, "5.1.10", "domain does not accept mail (null MX, RFC 7505)");
    static final SmtpReply NO_SUCH_DOMAIN = SmtpReply.of(550, "5.1.2", "domain not found (NXDOMAIN)");
    static final SmtpReply NO_ADDRESS = SmtpReply.of(550, "5.4.4", "no MX and no address records for the domain");
    static final SmtpReply MX_IS_US = SmtpReply.of(554, "5.4.6", "mail loops back to myself: an MX host of the domain is this gateway");
    static final SmtpReply LOOKUP_FAILED = SmtpReply.of(451, "4.4.3", "DNS lookup failed, will try again");

    private final Vertx vertx;
    private final List<DnsClient> resolvers;
    private final String ownHostName;

    public MxResolver(Vertx vertx, DeliveryConfig config, MailConfig mail) {
        this.vertx = vertx;
        this.ownHostName = mail.hostname().toLowerCase(Locale.ROOT);
        DnsClientOptions base = new DnsClientOptions()
                .setQueryTimeout(config.dns().timeout().toMillis())
                .setRecursionDesired(true);
        this.resolvers = config.dns().servers().filter(list -> !list.isEmpty())
                .map(list -> list.stream().map(server -> client(server, base)).toList())
                .orElseGet(() -> List.of(vertx.createDnsClient(base)));
    }

    private DnsClient client(String server, DnsClientOptions base) {
        int colon = server.lastIndexOf(':');
        String host = colon > 0 ? server.substring(0, colon) : server;
        int port = colon > 0 ? Integer.parseInt(server.substring(colon + 1)) : 53;
        return vertx.createDnsClient(new DnsClientOptions(base).setHost(host.replaceAll("^\\[|\\]$", "")).setPort(port));
    }

    public Future<Route> resolve(String domain) {
        return ask(client -> client.resolveMX(domain), 0).transform(mx -> {
            if (mx.failed()) {
                return Future.succeededFuture(unroutable(mx.cause()));
            }
            if (mx.result().isEmpty()) {
                return addresses(domain, domain).map(hops -> hops.isEmpty() ? new Route.Unroutable(NO_ADDRESS) : new Route.Hosts(hops));
            }
            return hostsOf(mx.result());
        }).recover(e -> Future.succeededFuture(unroutable(e)));
    }

    private Future<Route> hostsOf(List<MxRecord> records) {
        if (records.stream().anyMatch(r -> name(r.name()).isEmpty())) {
            return Future.succeededFuture(new Route.Unroutable(NULL_MX));
        }
        // RFC 5321 section 5.1: when this host is an MX of the domain, only better ones may be tried
        int ownPreference = records.stream().filter(r -> name(r.name()).equals(ownHostName))
                .mapToInt(MxRecord::priority).min().orElse(Integer.MAX_VALUE);
        List<String> hosts = ordered(records.stream().filter(r -> r.priority() < ownPreference).toList());
        if (hosts.isEmpty()) {
            return Future.succeededFuture(new Route.Unroutable(MX_IS_US));
        }
        List<Future<List<NextHop>>> lookups = hosts.stream()
                .map(host -> addresses(host, host).otherwise(List.of()))
                .toList();
        return Future.all(lookups).map(done -> {
            List<NextHop> hops = new ArrayList<>();
            lookups.forEach(lookup -> hops.addAll(lookup.result()));
            return hops.isEmpty() ? new Route.Unroutable(LOOKUP_FAILED.withText("no address found for any MX host of the domain"))
                    : new Route.Hosts(hops);
        });
    }

    /** Lowest preference first; hosts of equal preference in random order (RFC 5321 section 5.1). */
    static List<String> ordered(List<MxRecord> records) {
        Map<Integer, List<String>> byPreference = new TreeMap<>();
        for (MxRecord record : records) {
            List<String> same = byPreference.computeIfAbsent(record.priority(), p -> new ArrayList<>());
            String host = name(record.name());
            if (!same.contains(host)) {
                same.add(host);
            }
        }
        List<String> hosts = new ArrayList<>();
        for (List<String> same : byPreference.values()) {
            Collections.shuffle(same, ThreadLocalRandom.current());
            hosts.addAll(same);
        }
        return hosts;
    }

    /** A then AAAA addresses of {@code host}; a name without either gives none. */
    private Future<List<NextHop>> addresses(String host, String label) {
        Future<List<String>> v4 = ask(client -> client.resolveA(host), 0);
        Future<List<String>> v6 = ask(client -> client.resolveAAAA(host), 0);
        return Future.join(v4, v6).transform(done -> {
            if (v4.failed() && v6.failed()) {
                // both lookups failed: NXDOMAIN for a domain's implicit MX is permanent, anything else temporary
                return Future.failedFuture(v4.cause());
            }
            List<NextHop> hops = new ArrayList<>();
            if (v4.succeeded()) {
                v4.result().forEach(address -> hops.add(new NextHop(label, address)));
            }
            if (v6.succeeded()) {
                v6.result().forEach(address -> hops.add(new NextHop(label, address)));
            }
            return Future.succeededFuture(hops);
        });
    }

    /** One query, asked of each resolver in turn until one gives an answer (NXDOMAIN is an answer). */
    private <T> Future<T> ask(Function<DnsClient, Future<T>> query, int index) {
        return query.apply(resolvers.get(index)).recover(e -> {
            boolean answered = e instanceof DnsException dns && dns.code() == DnsResponseCode.NXDOMAIN;
            return answered || index + 1 >= resolvers.size() ? Future.failedFuture(e) : ask(query, index + 1);
        });
    }

    private static Route unroutable(Throwable e) {
        if (e instanceof DnsException dns && dns.code() == DnsResponseCode.NXDOMAIN) {
            return new Route.Unroutable(NO_SUCH_DOMAIN);
        }
        return new Route.Unroutable(LOOKUP_FAILED.withText("DNS lookup failed (" + e.getMessage() + "), will try again"));
    }

    /** DNS names as compared and dialled: lower case, no trailing dot; the root (null MX) is "". */
    private static String name(String dnsName) {
        String name = dnsName == null ? "" : dnsName.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    @PreDestroy
    void close() {
        resolvers.forEach(DnsClient::close);
    }
}
