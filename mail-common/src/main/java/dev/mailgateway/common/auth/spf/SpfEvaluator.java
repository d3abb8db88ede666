package dev.mailgateway.common.auth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.vertx.core.Future;

import dev.mailgateway.common.auth.spf.SpfRecord.Directive;
import dev.mailgateway.common.auth.spf.SpfResult.Identity;
import dev.mailgateway.common.auth.spf.SpfResult.Status;
import dev.mailgateway.common.dns.DnsAnswer;
import dev.mailgateway.common.auth.ParsedRecords;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.dns.MxHost;

/**
 * SPF (RFC 7208): is this SMTP client allowed to send mail for the MAIL
 * FROM domain, or for the HELO name when the reverse-path is null? Runs
 * check_host() (section 4) on the gateway's {@link DnsResolver}, never
 * blocking; its future never fails. Security-sensitive: every record and
 * answer comes from strangers, so every term is parsed before any is
 * evaluated, and the work one check may cause is bounded: the lookup limits
 * of section 4.6.4, the record size and term count of
 * {@link SpfRecordParser}, the expansion length of {@link MacroExpander}.
 *
 * <p>The exp= modifier is checked for syntax but its explanation is not
 * fetched: section 6.2 makes using it optional, and the gateway gives no
 * SPF-based 5xx text from strangers' zones. There is no overall time
 * limit here (section 4.6.4's "at least 20 seconds"): the caller holds the
 * check to its own budget, and each lookup ends within the resolver's timeout.
 */
public final class SpfEvaluator {

    /** Section 4.6.4: terms that query DNS (include, a, mx, ptr, exists, redirect) in one check, nested ones included. */
    public static final int MAX_DNS_TERMS = 10;
    /**
     * Section 4.6.4: terms whose lookup found nothing (NXDOMAIN or no data) before the check is a permerror.
     * Counted per term, as the section says, not per query: an mx mechanism whose hosts lack addresses of
     * the client's family is one term.
     */
    public static final int MAX_VOID_LOOKUPS = 2;
    /** Section 4.6.4: MX names an mx mechanism looks up addresses for; more is a permerror. */
    public static final int MAX_MX_NAMES = 10;
    /** Section 4.6.4: PTR names the ptr mechanism and %{p} validate; the others are ignored. */
    public static final int MAX_PTR_NAMES = 10;
    /** Section 4.3: the local-part of a sender without one, and of the HELO identity. */
    private static final String POSTMASTER = "postmaster";

    /** What one check_host() call, or one term, came to. */
    private record Outcome(Status status, String reason) {
    }

    private final DnsResolver dns;
    private final ParsedRecords<SpfRecord> records = new ParsedRecords<>();

    public SpfEvaluator(DnsResolver dns) {
        this.dns = dns;
    }

    /**
     * check_host() for the MAIL FROM identity, or for the HELO identity ({@code postmaster@helo}) when the
     * reverse-path is null (sections 2.3 and 2.4). A reverse-path without a local-part ({@code @example.com}
     * or {@code example.com}) is checked as {@code postmaster@example.com} (section 4.3).
     *
     * <p>Call it on a Vert.x context (an event loop or a duplicated context of one), never from a plain
     * thread: the lookups' callbacks share one check's counters (section 4.6.4's limits) and caches
     * without locks, which is safe only while they all run on that one context.
     *
     * @param client the SMTP client's address; an IPv4-mapped IPv6 address counts as IPv4
     * @param mailFrom the reverse-path's address without angle brackets; "" or null for {@code <>}
     * @param helo the HELO/EHLO argument, as given
     * @return the result; never a failed future
     */
    public Future<SpfResult> check(InetAddress client, String mailFrom, String helo) {
        boolean nullPath = mailFrom == null || mailFrom.isEmpty();
        String heloName = helo == null ? "" : helo;
        Identity identity = nullPath ? Identity.HELO : Identity.MAILFROM;
        String checked = nullPath ? heloName : mailFrom;
        String given = nullPath ? POSTMASTER + "@" + heloName : mailFrom;
        int at = given.lastIndexOf('@');
        String domain = dropDot(given.substring(at + 1));
        // section 4.3: no local-part means postmaster's, for %{s} as for %{l}
        String localPart = at <= 0 ? POSTMASTER : given.substring(0, at);
        String sender = at <= 0 ? POSTMASTER + "@" + domain : given;
        try {
            InetAddress address = unmapped(client);
            MacroValues values = new MacroValues(sender, localPart, domain, domain, address, heloName, null);
            return new Evaluation(address).checkHost(domain, values)
                    .recover(e -> Future.succeededFuture(e instanceof SpfException spf ? new Outcome(spf.status(), spf.getMessage())
                            : new Outcome(Status.PERMERROR, "internal error: " + e)))
                    .map(outcome -> new SpfResult(outcome.status(), identity, checked, outcome.reason()));
        } catch (RuntimeException e) {
            return Future.succeededFuture(new SpfResult(Status.PERMERROR, identity, checked, "internal error: " + e));
        }
    }

    private SpfRecord parsed(String text) throws SpfException {
        return records.parse(text, SpfRecordParser::parse);
    }

    /** The state of one check: the lookup counts of section 4.6.4 span every nested include and redirect. */
    private final class Evaluation {

        private final InetAddress client;
        private int dnsTerms;
        private int voidLookups;
        private Future<DnsAnswer<String>> ptrNames;
        private Future<List<String>> validatedNames;

        Evaluation(InetAddress client) {
            this.client = client;
        }

        /** Section 4: none for a domain that cannot have a record, else the selected record's result. */
        Future<Outcome> checkHost(String domain, MacroValues caller) {
            String name = dropDot(domain).toLowerCase(Locale.ROOT);
            // section 4.3: a malformed or single-label domain is "none"; the resolver refuses the rest of the malformed ones
            if (name.indexOf('.') <= 0) {
                return Future.succeededFuture(new Outcome(Status.NONE, "no domain to check: " + name));
            }
            MacroValues values = caller.withDomain(name);
            return dns.txt(name).compose(answer -> {
                if (answer.isTemporary()) {
                    return failed(SpfException.temperror(name + ": TXT lookup failed: " + answer.detail()));
                }
                // section 4.5: only records starting with the version; none is "none", more than one a permerror
                List<String> records = answer.records().stream().filter(SpfRecordParser::isSpfRecord).toList();
                if (records.isEmpty()) {
                    return Future.succeededFuture(new Outcome(Status.NONE, name + ": no SPF record"));
                }
                if (records.size() > 1) {
                    return failed(SpfException.permerror(name + ": " + records.size() + " SPF records"));
                }
                try {
                    return evaluate(parsed(records.get(0)), values, 0);
                } catch (SpfException e) {
                    return failed(SpfException.permerror(name + ": " + e.getMessage()));
                }
            });
        }

        /**
         * Section 4.6.2: the directives from {@code from} on, in order, until one matches; then redirect
         * (section 6.1), else neutral. Terms without DNS are decided here in the loop, so the stack only
         * grows with the terms that query DNS, of which there are at most {@link #MAX_DNS_TERMS}.
         */
        private Future<Outcome> evaluate(SpfRecord record, MacroValues values, int from) {
            try {
                for (int i = from; i < record.directives().size(); i++) {
                    Directive directive = record.directives().get(i);
                    if (!directive.mechanism().queriesDns) {
                        if (matchesWithoutDns(directive, values.client())) {
                            return Future.succeededFuture(matched(directive, values));
                        }
                        continue;
                    }
                    countDnsTerm(directive.text());
                    int next = i + 1;
                    return matches(directive, values).compose(hit -> hit ? Future.succeededFuture(matched(directive, values))
                            : evaluate(record, values, next));
                }
                if (record.redirect() != null && !record.hasAll()) {
                    countDnsTerm("redirect=" + record.redirect());
                    return target(record.redirect(), values).compose(name -> checkHost(name, values)).compose(outcome ->
                            outcome.status() == Status.NONE
                                    ? failed(SpfException.permerror("redirect=" + record.redirect() + ": " + outcome.reason()))
                                    : Future.succeededFuture(outcome));
                }
                return Future.succeededFuture(new Outcome(Status.NEUTRAL, values.domain() + ": no mechanism matched"));
            } catch (SpfException e) {
                return failed(e);
            }
        }

        private Outcome matched(Directive directive, MacroValues values) {
            return new Outcome(directive.qualifier().result, values.domain() + ": " + directive.text() + " matched");
        }

        private void countDnsTerm(String term) throws SpfException {
            if (++dnsTerms > MAX_DNS_TERMS) {
                throw SpfException.permerror("over " + MAX_DNS_TERMS + " DNS-querying terms at " + term + ", RFC 7208 4.6.4");
            }
        }

        private void countVoidLookup(String name) throws SpfException {
            if (++voidLookups > MAX_VOID_LOOKUPS) {
                throw SpfException.permerror("over " + MAX_VOID_LOOKUPS + " void lookups at " + name + ", RFC 7208 4.6.4");
            }
        }

        /** Sections 5.2 to 5.7, for the mechanisms that query DNS. */
        private Future<Boolean> matches(Directive directive, MacroValues values) {
            String spec = directive.domainSpec();
            return switch (directive.mechanism()) {
                case INCLUDE -> target(spec, values).compose(name -> checkHost(name, values).compose(this::included));
                case A -> target(spec, values).compose(name -> addresses(name, values.client())).compose(answer -> {
                    if (!answer.isFound()) {
                        return voidLookup(answer, directive.text());
                    }
                    return Future.succeededFuture(answer.records().stream().anyMatch(a -> inNetwork(values.client(), a, directive)));
                });
                case MX -> target(spec, values).compose(dns::mx).compose(answer -> mx(answer, directive, values.client()));
                case PTR -> target(spec, values).compose(name -> ptrNames().compose(answer -> {
                    if (answer.isNone()) {
                        return voidLookup(answer, directive.text());
                    }
                    // section 5.5: the target itself or a name under it, among the validated names
                    return validatedNames().map(names -> names.stream()
                            .anyMatch(n -> n.equals(name) || n.endsWith("." + name)));
                }));
                case EXISTS -> target(spec, values).compose(dns::a).compose(answer -> answer.isFound()
                        ? Future.succeededFuture(true) : voidLookup(answer, directive.text()));
                default -> Future.succeededFuture(false);
            };
        }

        /** Section 5.2's table: what the included domain's result means for the include mechanism. */
        private Future<Boolean> included(Outcome outcome) {
            return switch (outcome.status()) {
                case PASS -> Future.succeededFuture(true);
                case FAIL, SOFTFAIL, NEUTRAL -> Future.succeededFuture(false);
                case TEMPERROR -> failed(SpfException.temperror(outcome.reason()));
                case PERMERROR -> failed(SpfException.permerror(outcome.reason()));
                case NONE -> failed(SpfException.permerror("include: " + outcome.reason()));
            };
        }

        /**
         * A lookup without records: a temperror for DNS trouble (section 2.6.6), else a void lookup and no
         * match; a name the resolver refuses to ask about (over-long labels after expansion) found nothing too.
         */
        private Future<Boolean> voidLookup(DnsAnswer<?> answer, String term) {
            if (answer.isTemporary()) {
                return failed(SpfException.temperror(term + ": " + answer.detail()));
            }
            try {
                countVoidLookup(term);
                return Future.succeededFuture(false);
            } catch (SpfException e) {
                return failed(e);
            }
        }

        /**
         * Section 5.4: the addresses of at most {@link #MAX_MX_NAMES} exchanges. DNS trouble with any of them
         * is a temperror (section 5: the mechanism stops) unless another exchange already matched.
         */
        private Future<Boolean> mx(DnsAnswer<MxHost> answer, Directive directive, InetAddress client) {
            if (!answer.isFound()) {
                return voidLookup(answer, directive.text());
            }
            if (answer.records().size() > MAX_MX_NAMES) {
                return failed(SpfException.permerror(directive.text() + ": over " + MAX_MX_NAMES + " MX names, RFC 7208 4.6.4"));
            }
            List<Future<DnsAnswer<InetAddress>>> lookups = answer.records().stream()
                    .filter(host -> !host.exchange().isEmpty()) // a null MX (RFC 7505) names no host
                    .map(host -> addresses(host.exchange(), client)).toList();
            return Future.all(lookups).compose(done -> {
                boolean hit = false;
                boolean trouble = false;
                for (Future<DnsAnswer<InetAddress>> lookup : lookups) {
                    hit |= lookup.result().records().stream().anyMatch(a -> inNetwork(client, a, directive));
                    trouble |= lookup.result().isTemporary();
                }
                return trouble && !hit ? failed(SpfException.temperror(directive.text() + ": an MX host's lookup failed"))
                        : Future.succeededFuture(hit);
            });
        }

        /** The client's PTR names, looked up once per check. */
        private Future<DnsAnswer<String>> ptrNames() {
            if (ptrNames == null) {
                ptrNames = dns.ptr(client);
            }
            return ptrNames;
        }

        /**
         * Section 5.5: the client's PTR names (the first {@link #MAX_PTR_NAMES}) whose addresses include the
         * client; a name whose lookup fails is skipped, and DNS trouble with the PTR lookup means no names.
         */
        private Future<List<String>> validatedNames() {
            if (validatedNames == null) {
                validatedNames = ptrNames().compose(answer -> {
                    List<String> names = answer.records().subList(0, Math.min(MAX_PTR_NAMES, answer.records().size()));
                    List<Future<DnsAnswer<InetAddress>>> lookups = names.stream().map(n -> addresses(n, client)).toList();
                    return Future.all(lookups).map(done -> {
                        List<String> valid = new ArrayList<>();
                        for (int i = 0; i < names.size(); i++) {
                            if (lookups.get(i).result().records().contains(client)) {
                                valid.add(names.get(i));
                            }
                        }
                        return valid;
                    });
                });
            }
            return validatedNames;
        }

        /**
         * A domain-spec's name: the current domain when absent, else its expansion (section 7.3), after
         * {@code %{p}}'s validated name is found (section 7.3: one matching the domain if possible).
         */
        private Future<String> target(String spec, MacroValues values) {
            if (spec == null) {
                return Future.succeededFuture(values.domain());
            }
            Future<MacroValues> ready = !MacroExpander.needsValidatedName(spec) ? Future.succeededFuture(values)
                    : validatedNames().map(names -> values.withValidatedName(preferred(names, values.domain())));
            return ready.compose(filled -> {
                try {
                    return Future.succeededFuture(MacroExpander.expandDomain(spec, filled).toLowerCase(Locale.ROOT));
                } catch (SpfException e) {
                    return failed(e);
                }
            });
        }
    }

    /** The validated name equal to the domain, else one under it, else the first; null for none. */
    private static String preferred(List<String> names, String domain) {
        if (names.contains(domain)) {
            return domain;
        }
        return names.stream().filter(n -> n.endsWith("." + domain)).findFirst().orElse(names.isEmpty() ? null : names.get(0));
    }

    /** Section 5: A records for an IPv4 client, AAAA for an IPv6 one. */
    private Future<DnsAnswer<InetAddress>> addresses(String name, InetAddress client) {
        return client instanceof Inet4Address ? dns.a(name) : dns.aaaa(name);
    }

    /** all matches always; ip4 and ip6 match clients of their own family in their network (section 5.6). */
    private static boolean matchesWithoutDns(Directive directive, InetAddress client) {
        return switch (directive.mechanism()) {
            case ALL -> true;
            case IP4, IP6 -> inNetwork(client.getAddress(), directive.network(),
                    client instanceof Inet4Address ? directive.ip4Prefix() : directive.ip6Prefix());
            default -> false;
        };
    }

    /** a and mx: the record's address with the directive's CIDR length for the client's family (section 5.6). */
    private static boolean inNetwork(InetAddress client, InetAddress address, Directive directive) {
        return inNetwork(client.getAddress(), address.getAddress(), client instanceof Inet4Address ? directive.ip4Prefix() : directive.ip6Prefix());
    }

    /** The first {@code prefix} bits equal, and both addresses of one family. */
    private static boolean inNetwork(byte[] client, byte[] network, int prefix) {
        if (client.length != network.length) {
            return false;
        }
        int whole = prefix / 8;
        if (!Arrays.equals(client, 0, whole, network, 0, whole)) {
            return false;
        }
        int rest = prefix % 8;
        int mask = (0xff << (8 - rest)) & 0xff;
        return rest == 0 || (client[whole] & mask) == (network[whole] & mask);
    }

    /** Section 5: an IPv4-mapped IPv6 client (::ffff:a.b.c.d) is evaluated as the IPv4 client it is. */
    static InetAddress unmapped(InetAddress client) {
        byte[] octets = client.getAddress();
        boolean mapped = octets.length == 16 && octets[10] == (byte) 0xff && octets[11] == (byte) 0xff
                && Arrays.equals(octets, 0, 10, new byte[10], 0, 10);
        if (!mapped) {
            return client;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(octets, 12, 16));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four octets are an IPv4 address", e);
        }
    }

    private static String dropDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static <T> Future<T> failed(SpfException e) {
        return Future.failedFuture(e);
    }
}
