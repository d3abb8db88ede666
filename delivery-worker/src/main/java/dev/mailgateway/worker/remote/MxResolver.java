package dev.mailgateway.worker.remote;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.netty.util.NetUtil;
import io.vertx.core.Future;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsAnswer;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.dns.MxHost;
import dev.mailgateway.common.reply.SmtpReply;

/**
 * Finds where a domain's mail goes, as RFC 5321 section 5.1 says, without
 * blocking: MX records by preference (equal preferences shuffled, to spread
 * load), each MX host's A then AAAA addresses; no MX: the domain's own
 * addresses (implicit MX); a null MX (RFC 7505), a domain that does not
 * exist or a name DNS cannot be asked about: permanent; a resolver that
 * fails or does not answer: temporary, after every configured resolver was
 * asked. Lookups go through the service's one {@link DnsResolver}, so they
 * are cached for their TTLs.
 */
@ApplicationScoped
public class MxResolver {

    static final SmtpReply NULL_MX = SmtpReply.of(556, "5.1.10", "domain does not accept mail (null MX, RFC 7505)");
    static final SmtpReply NO_SUCH_DOMAIN = SmtpReply.of(550, "5.1.2", "domain not found (NXDOMAIN)");
    static final SmtpReply BAD_DOMAIN_NAME = SmtpReply.of(550, "5.1.2", "domain name cannot be looked up in DNS");
    static final SmtpReply NO_ADDRESS = SmtpReply.of(550, "5.4.4", "no MX and no address records for the domain");
    private static final Logger LOG = Logger.getLogger(MxResolver.class);
    static final SmtpReply MX_IS_US = SmtpReply.of(554, "5.4.6", "mail loops back to myself: an MX host of the domain is this gateway");
    static final SmtpReply LOOKUP_FAILED = SmtpReply.of(451, "4.4.3", "DNS lookup failed, will try again");

    /**
     * MX hosts of one domain looked up, best first: a domain may publish thousands (a 64 KiB answer over
     * TCP), each costing two queries and a hop to try. Postfix stops at 5 addresses
     * (smtp_mx_address_limit); real domains publish a handful of MX hosts.
     */
    static final int MX_HOST_LIMIT = 10;
    /** Addresses of those hosts tried in one attempt, best first (Postfix's smtp_mx_address_limit is 5). */
    static final int MX_ADDRESS_LIMIT = 20;

    private final DnsResolver dns;
    private final String ownHostName;

    public MxResolver(DnsResolver dns, MailConfig mail) {
        this.dns = dns;
        this.ownHostName = mail.hostname().toLowerCase(Locale.ROOT);
    }

    public Future<Route> resolve(String domain) {
        return dns.mx(domain).compose(mx -> {
            switch (mx.result()) {
                case FOUND:
                    return hostsOf(mx.records());
                case NO_DATA:
                    // RFC 5321 section 5.1: no MX, the domain itself is the host
                    return addresses(domain).map(found -> found.failure() != null ? unroutable(found.failure())
                            : found.hops().isEmpty() ? new Route.Unroutable(NO_ADDRESS) : new Route.Hosts(found.hops()));
                default:
                    return Future.succeededFuture(unroutable(mx));
            }
        });
    }

    private Future<Route> hostsOf(List<MxHost> records) {
        if (records.stream().anyMatch(r -> r.exchange().isEmpty())) {
            return Future.succeededFuture(new Route.Unroutable(NULL_MX));
        }
        // RFC 5321 section 5.1: when this host is an MX of the domain, only better ones may be tried
        int ownPreference = records.stream().filter(r -> r.exchange().equals(ownHostName))
                .mapToInt(MxHost::preference).min().orElse(Integer.MAX_VALUE);
        List<String> hosts = ordered(records.stream().filter(r -> r.preference() < ownPreference).toList());
        if (hosts.size() > MX_HOST_LIMIT) {
            hosts = hosts.subList(0, MX_HOST_LIMIT);
        }
        if (hosts.isEmpty()) {
            return Future.succeededFuture(new Route.Unroutable(MX_IS_US));
        }
        List<Future<Addresses>> lookups = hosts.stream().map(this::addresses).toList();
        return Future.all(lookups).map(done -> {
            List<NextHop> hops = new ArrayList<>();
            lookups.forEach(lookup -> hops.addAll(lookup.result().hops()));
            if (hops.size() > MX_ADDRESS_LIMIT) {
                hops.subList(MX_ADDRESS_LIMIT, hops.size()).clear();
            }
            return hops.isEmpty() ? new Route.Unroutable(LOOKUP_FAILED.withText("no address found for any MX host of the domain"))
                    : new Route.Hosts(hops);
        });
    }

    /** Lowest preference first; hosts of equal preference in random order (RFC 5321 section 5.1). */
    static List<String> ordered(List<MxHost> records) {
        Map<Integer, Set<String>> byPreference = new TreeMap<>();
        for (MxHost record : records) {
            // a set: a hostile answer of thousands of records is not compared name by name
            byPreference.computeIfAbsent(record.preference(), p -> new LinkedHashSet<>()).add(record.exchange());
        }
        List<String> hosts = new ArrayList<>();
        for (Set<String> names : byPreference.values()) {
            List<String> same = new ArrayList<>(names);
            Collections.shuffle(same, ThreadLocalRandom.current());
            hosts.addAll(same);
        }
        return hosts;
    }

    /**
     * A host's addresses, and the answer that explains their absence.
     *
     * @param failure the A answer when neither lookup gave an answer with or without records
     *                (NXDOMAIN, a bad name, trouble), or a temporary failure when one lookup had trouble and
     *                the other found nothing; else null
     */
    private record Addresses(List<NextHop> hops, DnsAnswer<?> failure) {
    }

    /** A then AAAA addresses of {@code host}; never fails. */
    private Future<Addresses> addresses(String host) {
        Future<DnsAnswer<InetAddress>> v4 = dns.a(host);
        Future<DnsAnswer<InetAddress>> v6 = dns.aaaa(host);
        return Future.all(v4, v6).map(done -> {
            DnsAnswer<InetAddress> a = v4.result();
            DnsAnswer<InetAddress> aaaa = v6.result();
            List<NextHop> hops = new ArrayList<>();
            a.records().forEach(address -> hops.add(new NextHop(host, NetUtil.toAddressString(address))));
            aaaa.records().forEach(address -> hops.add(new NextHop(host, NetUtil.toAddressString(address))));
            DnsAnswer<?> failure = null;
            if (!answered(a) && !answered(aaaa)) {
                // NXDOMAIN for a domain's implicit MX is permanent, anything else temporary
                failure = a;
            } else if (hops.isEmpty() && (a.isTemporary() || aaaa.isTemporary())) {
                // one family had nothing and the other did not answer: not known to have no address
                failure = a.isTemporary() ? a : aaaa;
            }
            return new Addresses(hops, failure);
        });
    }

    /** An answer, with or without records. */
    private static boolean answered(DnsAnswer<?> answer) {
        return answer.isFound() || answer.result() == DnsAnswer.Result.NO_DATA;
    }

    private static Route unroutable(DnsAnswer<?> answer) {
        switch (answer.result()) {
            case NXDOMAIN:
                return new Route.Unroutable(NO_SUCH_DOMAIN);
            case INVALID_NAME:
                return new Route.Unroutable(BAD_DOMAIN_NAME.withText("domain name cannot be looked up in DNS (" + answer.detail() + ")"));
            default:
                // the detail names our resolvers: for the log, not for the reply that reaches senders in bounces
                LOG.warnf("DNS lookup failed: %s", answer.detail());
                return new Route.Unroutable(LOOKUP_FAILED);
        }
    }
}
