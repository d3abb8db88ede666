package dev.mailgateway.common.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsPtrRecord;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStream;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.impl.future.PromiseInternal;
import io.vertx.core.spi.transport.Transport;

import dev.mailgateway.common.dns.DnsAnswer.Result;

/**
 * The gateway's one DNS stub resolver, for the relay's MX lookups and the
 * ingress's SPF, DKIM and DMARC checks: it asks recursive resolvers (the
 * configured ones in turn, else those of /etc/resolv.conf) and never
 * blocks: queries run on one Vert.x event loop through Netty's
 * {@link DnsNameResolver}, and results come back on the caller's context.
 * Security-sensitive: names and answers come from strangers, so names are
 * checked before any query (RFC 1035 section 2.3.4 limits), answers are
 * read defensively, and the cache has an octet budget.
 *
 * <p>Implements: RFC 1035 (queries over UDP, and over TCP when the UDP answer
 * is truncated, section 4.2.2 and RFC 7766 section 5), RFC 6891 (EDNS0 with
 * a 1232-octet payload, as DNS Flag Day 2020), RFC 2181 sections 5.2 and 8
 * (the lowest TTL of an RRset; TTLs over 2^31 - 1 count as 0), RFC 2308
 * (negative answers cached for the SOA's TTL or MINIMUM, whichever is lower;
 * without an SOA, not at all). CNAME chains in an answer are followed
 * (RFC 1034 section 3.6.2). A timeout, SERVFAIL or REFUSED asks the next
 * server; NXDOMAIN and no data are answers. Every lookup ends within
 * {@code timeout} per server, and its future never fails: trouble is a
 * {@link Result#TEMPORARY_FAILURE} answer. Concurrent lookups of one name
 * and type share one query.
 */
public final class DnsResolver implements AutoCloseable {

    /** One server's wait before the next is asked (Vert.x's DnsClient default, and {@code delivery.dns.timeout}'s). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The cache's budget: record data, names and a fixed overhead per entry (about 10,000 typical answers). */
    public static final long DEFAULT_CACHE_OCTETS = 4L << 20;
    /** Longest a positive answer is kept, whatever its TTL says (unbound's cache-max-ttl: one day). */
    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(1);
    /** Longest a negative answer is kept (RFC 2308 section 5 advises one to three hours; unbound's cache-max-negative-ttl: one hour). */
    public static final Duration DEFAULT_MAX_NEGATIVE_TTL = Duration.ofHours(1);
    /**
     * Distinct queries under way at once, past which a lookup is a temporary failure at once: strangers
     * choose the names the ingress's checks look up (a flood of messages from random domains), and each
     * query holds state and one of the 65,536 query ids of the resolver's channel until its timeout. A
     * gateway's real load needs a few hundred; DNS trouble is a temperror, never a refusal, anyway.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4096;
    /** EDNS0 UDP payload advertised (DNS Flag Day 2020): larger answers come truncated, then over TCP. */
    static final int MAX_UDP_PAYLOAD = 1232;
    /** CNAMEs followed within one answer before it counts as no data (a loop or a hostile chain). */
    static final int MAX_CNAME_CHAIN = 8;
    /** A DNS server's port when a setting names none (RFC 1035 section 4.2). */
    static final int DNS_PORT = 53;
    /** Cache weight of one record beyond its data (decoded object and list slot). */
    private static final long RECORD_OVERHEAD = 64;

    /**
     * How a resolver is set up.
     *
     * @param servers recursive resolvers as {@code ip}, {@code ip:port} or {@code [ipv6]:port}, asked in order;
     *                empty: the servers of /etc/resolv.conf. IP literals only: a resolver's address cannot need DNS.
     * @param timeout one server's wait for an answer, over UDP and TCP together
     * @param cacheOctets the cache's budget, see {@link #DEFAULT_CACHE_OCTETS}
     * @param maxTtl cap on a positive answer's TTL
     * @param maxNegativeTtl cap on a negative answer's TTL
     * @param maxInFlight distinct queries under way at most, see {@link #DEFAULT_MAX_IN_FLIGHT}
     */
    public record Settings(List<String> servers, Duration timeout, long cacheOctets, Duration maxTtl, Duration maxNegativeTtl,
            int maxInFlight) {

        public Settings {
            servers = List.copyOf(servers);
            if (timeout.isNegative() || timeout.isZero() || cacheOctets < 0 || maxTtl.isNegative() || maxNegativeTtl.isNegative()
                    || maxInFlight < 1) {
                throw new IllegalArgumentException("DNS timeout and queries in flight must be positive, cache size and TTL caps not negative");
            }
        }

        /** The given servers and timeout, the other limits at their defaults. */
        public static Settings of(List<String> servers, Duration timeout) {
            return new Settings(servers, timeout, DEFAULT_CACHE_OCTETS, DEFAULT_MAX_TTL, DEFAULT_MAX_NEGATIVE_TTL, DEFAULT_MAX_IN_FLIGHT);
        }
    }

    private record Key(String name, int type) {
    }

    /** What one server's reply amounts to: an answer (with its cache life and weight) or a reason to ask the next. */
    private record Outcome(DnsAnswer<?> answer, long ttlSeconds, long weight, String failure) {

        static Outcome failure(String why) {
            return new Outcome(null, 0, 0, why);
        }
    }

    private final Vertx vertx;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final DnsServerAddressStreamProvider servers;
    private final long timeoutMillis;
    private final long maxTtlSeconds;
    private final long maxNegativeTtlSeconds;
    private final int maxInFlight;
    private final InstantSource clock;
    private final AnswerCache<Key> cache;
    private final Map<Key, Future<DnsAnswer<?>>> inflight = new ConcurrentHashMap<>();

    public DnsResolver(Vertx vertx, Settings settings) {
        this(vertx, settings, InstantSource.system());
    }

    /**
     * The servers of /etc/resolv.conf, read once, here at start-up: Netty's platform provider reads the
     * file again every five minutes on whichever thread asks, and that would be an event loop.
     */
    private static List<InetSocketAddress> systemServers() {
        DnsServerAddressStream stream = DnsServerAddressStreamProviders.platformDefault().nameServerAddressStream("");
        List<InetSocketAddress> servers = new ArrayList<>();
        for (int i = 0; i < stream.size(); i++) {
            servers.add(stream.next());
        }
        return servers;
    }

    /** With the clock the cache reads TTLs against (tests use a fake one). */
    DnsResolver(Vertx vertx, Settings settings, InstantSource clock) {
        this.vertx = vertx;
        this.clock = clock;
        this.timeoutMillis = settings.timeout().toMillis();
        this.maxTtlSeconds = settings.maxTtl().toSeconds();
        this.maxNegativeTtlSeconds = settings.maxNegativeTtl().toSeconds();
        this.maxInFlight = settings.maxInFlight();
        this.cache = new AnswerCache<>(settings.cacheOctets());
        this.servers = new SequentialDnsServerAddressStreamProvider(settings.servers().isEmpty() ? systemServers()
                : settings.servers().stream().map(DnsResolver::server).toList());
        VertxInternal internal = (VertxInternal) vertx;
        Transport transport = internal.transport();
        ChannelFactory<?> streams = transport.channelFactory(false);
        this.loop = internal.getEventLoopGroup().next();
        // Netty's caches off: this class caches whole answers with their TTLs, and query() does not use them anyway
        this.resolver = new DnsNameResolverBuilder(loop)
                .datagramChannelFactory(() -> transport.datagramChannel())
                .socketChannelFactory(() -> (SocketChannel) streams.newChannel(), false)
                .nameServerProvider(servers)
                .queryTimeoutMillis(timeoutMillis)
                .recursionDesired(true)
                .maxPayloadSize(MAX_UDP_PAYLOAD)
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .build();
    }

    /** TXT records of {@code name}, each record's character-strings joined without a separator (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2); octets as ISO-8859-1 characters, so a caller sees any non-ASCII octet. */
    public Future<DnsAnswer<String>> txt(String name) {
        return lookup(name, DnsRecordType.TXT, raw(DnsResolver::txtOf));
    }

    /** MX records of {@code domain}, in the server's order (RFC 1035 section 3.3.9). */
    public Future<DnsAnswer<MxHost>> mx(String domain) {
        return lookup(domain, DnsRecordType.MX, raw(data -> {
            int preference = data.readUnsignedShort();
            String exchange = target(DefaultDnsRecordDecoder.decodeName(data));
            return exchange == null ? null : new MxHost(preference, exchange);
        }));
    }

    /** IPv4 addresses of {@code host} (RFC 1035 section 3.4.1). */
    public Future<DnsAnswer<InetAddress>> a(String host) {
        return lookup(host, DnsRecordType.A, raw(data -> address(data, 4)));
    }

    /** IPv6 addresses of {@code host} (RFC 3596). */
    public Future<DnsAnswer<InetAddress>> aaaa(String host) {
        return lookup(host, DnsRecordType.AAAA, raw(data -> address(data, 16)));
    }

    /**
     * Host names of {@code address} (RFC 1035 section 3.5: {@code in-addr.arpa}; RFC 3596 section 2.5:
     * {@code ip6.arpa}), for SPF's {@code ptr} mechanism and {@code %{p}} macro (RFC 7208 section 5.5).
     * Targets that are not names the resolver could ask about are dropped, as MX exchanges are.
     */
    public Future<DnsAnswer<String>> ptr(InetAddress address) {
        // Netty's record decoder hands PTR records over decoded, not raw
        return lookup(reverseName(address), DnsRecordType.PTR, record -> {
            String target = record instanceof DnsPtrRecord ptr ? target(ptr.hostname()) : null;
            return target == null || target.isEmpty() ? null : target;
        });
    }

    /** A decoder of the record data of raw records; other records are dropped. */
    private static <T> Function<DnsRecord, T> raw(Function<ByteBuf, T> decoder) {
        return record -> record instanceof DnsRawRecord raw ? decoder.apply(raw.content().duplicate()) : null;
    }

    /** The name a PTR record of {@code address} sits at: octets, or nibbles for IPv6, lowest first. */
    static String reverseName(InetAddress address) {
        byte[] octets = address.getAddress();
        StringBuilder name = new StringBuilder(72);
        for (int i = octets.length - 1; i >= 0; i--) {
            int octet = octets[i] & 0xff;
            if (octets.length == 4) {
                name.append(octet).append('.');
            } else {
                name.append(Character.forDigit(octet & 0xf, 16)).append('.').append(Character.forDigit(octet >> 4, 16)).append('.');
            }
        }
        return name.append(octets.length == 4 ? "in-addr.arpa" : "ip6.arpa").toString();
    }

    private <T> Future<DnsAnswer<T>> lookup(String name, DnsRecordType type, Function<DnsRecord, T> decoder) {
        ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
        String query;
        try {
            query = DnsName.toQuery(name);
        } catch (IllegalArgumentException e) {
            return context.succeededFuture(DnsAnswer.none(Result.INVALID_NAME, e.getMessage()));
        }
        Key key = new Key(query, type.intValue());
        DnsAnswer<?> cached = cache.get(key, clock.millis());
        if (cached != null) {
            return context.succeededFuture(cast(cached));
        }
        if (inflight.size() >= maxInFlight && !inflight.containsKey(key)) {
            return context.succeededFuture(DnsAnswer.none(Result.TEMPORARY_FAILURE, "resolver busy: " + maxInFlight + " queries under way"));
        }
        Promise<DnsAnswer<?>> mine = Promise.promise();
        Future<DnsAnswer<?>> shared = inflight.putIfAbsent(key, mine.future());
        if (shared == null) {
            shared = mine.future();
            shared.onComplete(done -> inflight.remove(key, mine.future()));
            start(key, type, decoder, mine);
        }
        PromiseInternal<DnsAnswer<T>> result = context.promise();
        shared.onComplete(done -> result.complete(cast(done.result())));
        return result.future();
    }

    @SuppressWarnings("unchecked")
    private static <T> DnsAnswer<T> cast(DnsAnswer<?> answer) {
        return (DnsAnswer<T>) answer;
    }

    private void start(Key key, DnsRecordType type, Function<DnsRecord, ?> decoder, Promise<DnsAnswer<?>> answer) {
        try {
            loop.execute(() -> {
                try {
                    DnsServerAddressStream stream = servers.nameServerAddressStream(key.name());
                    ask(key, type, decoder, stream, 0, "no DNS server configured", answer);
                } catch (RuntimeException e) {
                    answer.tryComplete(DnsAnswer.none(Result.TEMPORARY_FAILURE, "resolver error: " + e));
                }
            });
        } catch (RejectedExecutionException e) {
            answer.tryComplete(DnsAnswer.none(Result.TEMPORARY_FAILURE, "resolver closed"));
        }
    }

    /** Asks the next server of {@code stream}; on the event loop. */
    private void ask(Key key, DnsRecordType type, Function<DnsRecord, ?> decoder, DnsServerAddressStream stream, int tried,
            String failure, Promise<DnsAnswer<?>> answer) {
        if (tried >= stream.size()) {
            answer.tryComplete(DnsAnswer.none(Result.TEMPORARY_FAILURE, failure));
            return;
        }
        InetSocketAddress server = stream.next();
        io.netty.util.concurrent.Promise<AddressedEnvelope<? extends DnsResponse, InetSocketAddress>> reply = loop.newPromise();
        // Netty times UDP and the TCP retry separately; this bounds both together
        ScheduledFuture<?> guard = loop.schedule(() -> reply.tryFailure(new java.util.concurrent.TimeoutException(
                "no answer in " + timeoutMillis + " ms")), timeoutMillis, TimeUnit.MILLISECONDS);
        reply.addListener(done -> {
            guard.cancel(false);
            try {
                Outcome outcome = outcome(key, type, decoder, reply);
                if (outcome.answer() == null) {
                    ask(key, type, decoder, stream, tried + 1, NetUtil.toSocketAddressString(server) + ": " + outcome.failure(), answer);
                    return;
                }
                if (outcome.ttlSeconds() > 0) {
                    cache.put(key, outcome.answer(), clock.millis() + TimeUnit.SECONDS.toMillis(outcome.ttlSeconds()), outcome.weight());
                }
                answer.tryComplete(outcome.answer());
            } catch (RuntimeException e) {
                // Netty would only log a listener's exception: the lookup, and every caller sharing it, would wait for ever
                answer.tryComplete(DnsAnswer.none(Result.TEMPORARY_FAILURE, "resolver error: " + e));
            }
        });
        try {
            resolver.query(server, new DefaultDnsQuestion(key.name(), type), Collections.emptyList(), reply);
        } catch (RuntimeException e) {
            reply.tryFailure(e);
        }
    }

    /** What one server's reply (or its failure) says; the reply's buffers released. */
    private Outcome outcome(Key key, DnsRecordType type, Function<DnsRecord, ?> decoder,
            io.netty.util.concurrent.Future<AddressedEnvelope<? extends DnsResponse, InetSocketAddress>> reply) {
        if (!reply.isSuccess()) {
            Throwable cause = reply.cause();
            return Outcome.failure(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
        AddressedEnvelope<? extends DnsResponse, InetSocketAddress> envelope = reply.getNow();
        try {
            return read(key, type, decoder, envelope.content());
        } catch (RuntimeException e) {
            return Outcome.failure("malformed answer (" + e.getMessage() + ")");
        } finally {
            envelope.release();
        }
    }

    private Outcome read(Key key, DnsRecordType type, Function<DnsRecord, ?> decoder, DnsResponse response) {
        if (response.isTruncated()) {
            return Outcome.failure("truncated answer that TCP did not complete");
        }
        if (response.code().equals(DnsResponseCode.NXDOMAIN)) {
            return negative(Result.NXDOMAIN, "NXDOMAIN", Long.MAX_VALUE, response);
        }
        if (!response.code().equals(DnsResponseCode.NOERROR)) {
            return Outcome.failure(response.code().toString());
        }
        List<Object> records = new ArrayList<>();
        long ttl = maxTtlSeconds;
        long weight = AnswerCache.ENTRY_OVERHEAD + 2L * key.name().length();
        String owner = key.name();
        for (int hop = 0; hop <= MAX_CNAME_CHAIN && owner != null; hop++) {
            String alias = null;
            long aliasTtl = 0;
            for (int i = 0, count = response.count(DnsSection.ANSWER); i < count; i++) {
                DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                if (!hostName(record.name()).equals(owner)) {
                    continue;
                }
                if (record.type().equals(type)) {
                    Object value = decoder.apply(record);
                    if (value == null) {
                        continue;
                    }
                    records.add(value);
                    ttl = Math.min(ttl, ttl(record));
                    // weigh what is kept
                    weight += RECORD_OVERHEAD + 2L * Math.max(record instanceof DnsRawRecord raw ? raw.content().readableBytes() : 0, decodedLength(value));
                } else if (record.type().equals(DnsRecordType.CNAME) && alias == null && record instanceof DnsRawRecord raw) {
                    alias = hostName(DefaultDnsRecordDecoder.decodeName(raw.content().duplicate()));
                    aliasTtl = ttl(record);
                }
            }
            if (!records.isEmpty()) {
                return new Outcome(DnsAnswer.found(records), ttl, weight, null);
            }
            if (alias != null) {
                ttl = Math.min(ttl, aliasTtl);
            }
            owner = alias;
        }
        return negative(Result.NO_DATA, "no " + type.name() + " record", ttl, response);
    }

    /** A decoded name's characters: a compression pointer of 2 octets may stand for up to 253 of them. */
    private static int decodedLength(Object value) {
        if (value instanceof MxHost mx) {
            return mx.exchange().length();
        }
        return value instanceof String text ? text.length() : 0;
    }

    /** RFC 2308 section 5: as long as the SOA's TTL and MINIMUM allow, capped; without an SOA, not cached. */
    private Outcome negative(Result result, String detail, long ttlCap, DnsResponse response) {
        long ttl = 0;
        for (int i = 0, count = response.count(DnsSection.AUTHORITY); i < count; i++) {
            DnsRecord record = response.recordAt(DnsSection.AUTHORITY, i);
            if (record.type().equals(DnsRecordType.SOA) && record instanceof DnsRawRecord raw && raw.content().readableBytes() >= 22) {
                ByteBuf data = raw.content();
                long minimum = data.getUnsignedInt(data.writerIndex() - 4);
                ttl = Math.min(Math.min(ttl(record), minimum > Integer.MAX_VALUE ? 0 : minimum), Math.min(ttlCap, maxNegativeTtlSeconds));
                break;
            }
        }
        return new Outcome(DnsAnswer.none(result, detail), ttl, AnswerCache.ENTRY_OVERHEAD + 2L * detail.length(), null);
    }

    /** RFC 2181 section 8: a TTL with the top bit set is 0. */
    private static long ttl(DnsRecord record) {
        long ttl = record.timeToLive();
        return ttl < 0 || ttl > Integer.MAX_VALUE ? 0 : ttl;
    }

    private static String txtOf(ByteBuf data) {
        StringBuilder text = new StringBuilder(data.readableBytes());
        while (data.isReadable()) {
            int length = data.readUnsignedByte();
            text.append(data.readCharSequence(length, StandardCharsets.ISO_8859_1));
        }
        return text.toString();
    }

    private static InetAddress address(ByteBuf data, int length) {
        if (data.readableBytes() != length) {
            throw new CorruptedFrameException("address record of " + data.readableBytes() + " octets");
        }
        byte[] octets = new byte[length];
        data.readBytes(octets);
        try {
            return InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            throw new CorruptedFrameException(e);
        }
    }

    /**
     * An MX exchange or PTR target as a name the resolver could ask about, "" for the root (a null MX,
     * RFC 7505); null, and the record dropped, for anything else a stranger's zone may hold (controls,
     * spaces, over-long labels), so that no such text becomes a host to dial, log or report.
     */
    private static String target(String decoded) {
        String name = hostName(decoded);
        if (name.isEmpty()) {
            return name;
        }
        try {
            return DnsName.toQuery(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Lower case, no trailing dot; the root is "". */
    private static String hostName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** {@code ip}, {@code ip:port}, {@code [ipv6]} or {@code [ipv6]:port}. */
    static InetSocketAddress server(String spec) {
        String host = spec.trim();
        int port = DNS_PORT;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            String rest = close < 0 ? "" : host.substring(close + 1);
            if (close < 0 || !(rest.isEmpty() || rest.startsWith(":"))) {
                throw new IllegalArgumentException("DNS server not ip, ip:port or [ipv6]:port: " + spec);
            }
            port = rest.isEmpty() ? DNS_PORT : port(rest.substring(1), spec);
            host = host.substring(1, close);
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            port = port(host.substring(host.indexOf(':') + 1), spec);
            host = host.substring(0, host.indexOf(':'));
        }
        byte[] address = NetUtil.createByteArrayFromIpAddressString(host);
        if (address == null) {
            throw new IllegalArgumentException("DNS server is not an IP address: " + spec);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("DNS server is not an IP address: " + spec, e);
        }
    }

    private static int port(String port, String spec) {
        try {
            int value = Integer.parseInt(port);
            if (value > 0 && value < 65536) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("DNS server port not in 1-65535: " + spec);
    }

    /** Octets the cache holds now, for tests and a later gauge. */
    long cacheWeight() {
        return cache.weight();
    }

    int cacheEntries() {
        return cache.size();
    }

    @Override
    public void close() {
        resolver.close();
        cache.clear();
    }
}
