package dev.mailgateway.common.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import dev.mailgateway.common.dns.DnsAnswer.Result;
import dev.mailgateway.common.testing.ZoneServer;

/**
 * The resolver against {@link ZoneServer} on loopback: TTLs read on a fake
 * clock and queries counted at the server, so caching, expiry and
 * truncation are decided without sleeping.
 */
class DnsResolverTest {

    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private ZoneServer zone;
    private DnsResolver resolver;

    @BeforeEach
    void start() throws Exception {
        zone = zone();
        resolver = resolver(Duration.ofSeconds(2), DnsResolver.DEFAULT_CACHE_OCTETS, zone.address());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---- every lookup ends

    @Test
    void aFailureWhileAnAnswerIsSettledEndsTheLookupAndItsSharers() {
        zone.a("settle.test", "192.0.2.1", 300);
        Thread caller = Thread.currentThread();
        // the clock works for the callers' cache look-ups and fails when the answer is put in the cache, on Netty's
        // listener: told apart by thread, not by the count of reads, as the answer may be settled before the second call
        DnsResolver failing = new DnsResolver(vertx, DnsResolver.Settings.of(List.of(zone.address()), Duration.ofSeconds(2)), () -> {
            if (Thread.currentThread() != caller) {
                throw new IllegalStateException("clock broken");
            }
            return Instant.ofEpochMilli(now.get());
        });
        closing.add(0, failing);
        Future<DnsAnswer<InetAddress>> first = failing.a("settle.test");
        Future<DnsAnswer<InetAddress>> sharing = failing.a("settle.test");
        assertEquals(DnsAnswer.Result.TEMPORARY_FAILURE, answer(first).result());
        assertEquals(DnsAnswer.Result.TEMPORARY_FAILURE, answer(sharing).result(), "the caller that shared the query is answered too");
    }

    // ---- TTLs

    @Test
    void anAnswerIsCachedUntilItsTtlRunsOutThenAskedAgain() {
        zone.txt("ttl.test", 300, "v=spf1 -all");
        assertEquals(List.of("v=spf1 -all"), found(resolver.txt("ttl.test")));
        assertEquals(List.of("v=spf1 -all"), found(resolver.txt("TTL.test.")), "one name, whatever the case and the trailing dot");
        assertEquals(1, zone.queries("ttl.test", ZoneServer.TYPE_TXT));

        now.addAndGet(299_999);
        found(resolver.txt("ttl.test"));
        assertEquals(1, zone.queries("ttl.test", ZoneServer.TYPE_TXT), "still fresh a millisecond before the TTL ends");

        now.addAndGet(1);
        found(resolver.txt("ttl.test"));
        assertEquals(2, zone.queries("ttl.test", ZoneServer.TYPE_TXT), "asked again once the TTL ran out");
    }

    @Test
    void theLowestTtlOfTheRecordSetCounts() {
        zone.a("two.test", "192.0.2.1", 600).a("two.test", "192.0.2.2", 30);
        assertEquals(2, found(resolver.a("two.test")).size());
        now.addAndGet(30_000);
        found(resolver.a("two.test"));
        assertEquals(2, zone.queries("two.test", ZoneServer.TYPE_A));
    }

    @Test
    void aTtlOfZeroIsNotCachedAndLongTtlsAreCapped() {
        zone.a("zero.test", "192.0.2.1", 0).a("long.test", "192.0.2.2", Integer.MAX_VALUE);
        found(resolver.a("zero.test"));
        found(resolver.a("zero.test"));
        assertEquals(2, zone.queries("zero.test", ZoneServer.TYPE_A));

        found(resolver.a("long.test"));
        now.addAndGet(DnsResolver.DEFAULT_MAX_TTL.toMillis() - 1);
        found(resolver.a("long.test"));
        assertEquals(1, zone.queries("long.test", ZoneServer.TYPE_A));
        now.addAndGet(1);
        found(resolver.a("long.test"));
        assertEquals(2, zone.queries("long.test", ZoneServer.TYPE_A), "kept no longer than the cap");
    }

    // ---- negative answers

    @Test
    void nxdomainIsNoneAndCachedForTheSoaMinimum() {
        zone.soa("gone.test", 600, 300);
        DnsAnswer<String> answer = answer(resolver.txt("gone.test"));
        assertEquals(Result.NXDOMAIN, answer.result());
        assertTrue(answer.isNone());
        assertFalse(answer.isTemporary());
        assertTrue(answer.records().isEmpty());

        now.addAndGet(299_999);
        assertEquals(Result.NXDOMAIN, answer(resolver.txt("gone.test")).result());
        assertEquals(1, zone.queries("gone.test", ZoneServer.TYPE_TXT), "RFC 2308: the lower of the SOA's TTL and MINIMUM");
        now.addAndGet(1);
        assertEquals(Result.NXDOMAIN, answer(resolver.txt("gone.test")).result());
        assertEquals(2, zone.queries("gone.test", ZoneServer.TYPE_TXT));
    }

    @Test
    void noDataIsNoneAndCachedForTheSoaTtlWhenLower() {
        zone.a("host.test", "192.0.2.1").soa("host.test", 120, 3600);
        DnsAnswer<String> answer = answer(resolver.txt("host.test"));
        assertEquals(Result.NO_DATA, answer.result());
        assertTrue(answer.isNone());
        now.addAndGet(119_999);
        answer(resolver.txt("host.test"));
        assertEquals(1, zone.queries("host.test", ZoneServer.TYPE_TXT));
        now.addAndGet(1);
        answer(resolver.txt("host.test"));
        assertEquals(2, zone.queries("host.test", ZoneServer.TYPE_TXT));
    }

    @Test
    void negativeTtlsAreCapped() {
        zone.soa("capped.test", 86_400, 86_400);
        answer(resolver.mx("capped.test"));
        now.addAndGet(DnsResolver.DEFAULT_MAX_NEGATIVE_TTL.toMillis());
        answer(resolver.mx("capped.test"));
        assertEquals(2, zone.queries("capped.test", ZoneServer.TYPE_MX));
    }

    @Test
    void aNegativeAnswerWithoutSoaIsNotCached() {
        assertEquals(Result.NXDOMAIN, answer(resolver.a("nosoa.test")).result());
        assertEquals(Result.NXDOMAIN, answer(resolver.a("nosoa.test")).result());
        assertEquals(2, zone.queries("nosoa.test", ZoneServer.TYPE_A));
    }

    // ---- failures

    @Test
    void servfailIsATemporaryFailureAndNotCached() {
        zone.broken("broken.test");
        DnsAnswer<MxHost> answer = answer(resolver.mx("broken.test"));
        assertEquals(Result.TEMPORARY_FAILURE, answer.result());
        assertTrue(answer.isTemporary());
        assertFalse(answer.isNone());
        assertTrue(answer.detail().contains("ServFail"), answer.detail());
        answer(resolver.mx("broken.test"));
        assertEquals(2, zone.queries("broken.test", ZoneServer.TYPE_MX));
    }

    @Test
    void aSilentServerIsATemporaryFailureWithinTheTimeout() {
        DnsResolver quick = resolver(Duration.ofMillis(300), DnsResolver.DEFAULT_CACHE_OCTETS, zone.address());
        zone.silent("slow.test");
        long started = System.nanoTime();
        DnsAnswer<String> answer = answer(quick.txt("slow.test"));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(Result.TEMPORARY_FAILURE, answer.result());
        assertTrue(tookMillis >= 250 && tookMillis < 2_000, "took " + tookMillis + " ms");
    }

    @Test
    void theNextServerIsAskedWhenOneFailsButNotAfterNxdomain() throws Exception {
        ZoneServer failing = zone();
        failing.broken("failover.test");
        zone.a("failover.test", "192.0.2.7");
        DnsResolver two = resolver(Duration.ofSeconds(2), DnsResolver.DEFAULT_CACHE_OCTETS, failing.address(), zone.address());
        assertEquals(List.of(InetAddress.getByName("192.0.2.7")), found(two.a("failover.test")));
        assertEquals(1, failing.queries("failover.test", ZoneServer.TYPE_A));

        assertEquals(Result.NXDOMAIN, answer(two.a("unknown.test")).result());
        assertEquals(0, zone.queries("unknown.test", ZoneServer.TYPE_A), "NXDOMAIN is an answer");
    }

    // ---- transport and records

    @Test
    void aTruncatedUdpAnswerIsAskedAgainOverTcp() {
        String a = "a".repeat(255);
        String b = "b".repeat(255);
        String c = "c".repeat(255);
        zone.truncated("big.test").txt("big.test", 60, a, b, c).txt("big.test", 60, "v=spf1 -all");
        List<String> records = found(resolver.txt("big.test"));
        assertEquals(List.of(a + b + c, "v=spf1 -all"), records);
        assertEquals(2, zone.queries("big.test", ZoneServer.TYPE_TXT));
        assertEquals(1, zone.tcpQueries("big.test", ZoneServer.TYPE_TXT));
    }

    @Test
    void theCharacterStringsOfOneTxtRecordAreJoinedWithoutSpaces() {
        zone.txt("sel._domainkey.example.test", 60, "v=DKIM1; k=ed25519; ", "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
                .txt("sel._domainkey.example.test", 60, "");
        assertEquals(List.of("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", ""),
                found(resolver.txt("sel._domainkey.example.test")));
    }

    @Test
    void mxRecordsKeepTheirPreferenceAndANullMxIsTheRoot() {
        zone.mx("mail.test", 20, "MX2.mail.test").mx("mail.test", 10, "mx1.mail.test").nullMx("nullmx.test");
        assertEquals(List.of(new MxHost(20, "mx2.mail.test"), new MxHost(10, "mx1.mail.test")), found(resolver.mx("mail.test")));
        assertEquals(List.of(new MxHost(0, "")), found(resolver.mx("nullmx.test")));
    }

    @Test
    void aAndAaaaAreSeparateLookups() throws Exception {
        zone.a("dual.test", "192.0.2.9").a("dual.test", "2001:db8::9");
        assertEquals(List.of(InetAddress.getByName("192.0.2.9")), found(resolver.a("dual.test")));
        assertEquals(List.of(InetAddress.getByName("2001:db8::9")), found(resolver.aaaa("dual.test")));
    }

    @Test
    void ptrRecordsAreFoundAtTheReverseNameOfEitherFamily() throws Exception {
        zone.ptr("192.0.2.10", "Mail.Example.test").ptr("192.0.2.10", "other.example.test").ptr("2001:db8::a", "v6.example.test");
        assertEquals(List.of("mail.example.test", "other.example.test"), found(resolver.ptr(InetAddress.getByName("192.0.2.10"))));
        assertEquals(1, zone.queries("10.2.0.192.in-addr.arpa", ZoneServer.TYPE_PTR));
        assertEquals(List.of("v6.example.test"), found(resolver.ptr(InetAddress.getByName("2001:db8::a"))));
        assertEquals(1, zone.queries("a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", ZoneServer.TYPE_PTR));
        assertEquals(Result.NXDOMAIN, answer(resolver.ptr(InetAddress.getByName("192.0.2.11"))).result());
    }

    @Test
    void aCnameIsFollowedAndItsTtlCounts() throws Exception {
        zone.cname("www.alias.test", "host.alias.test", 30).a("host.alias.test", "192.0.2.5", 600);
        assertEquals(List.of(InetAddress.getByName("192.0.2.5")), found(resolver.a("www.alias.test")));
        now.addAndGet(29_999);
        found(resolver.a("www.alias.test"));
        assertEquals(1, zone.queries("www.alias.test", ZoneServer.TYPE_A));
        now.addAndGet(1);
        found(resolver.a("www.alias.test"));
        assertEquals(2, zone.queries("www.alias.test", ZoneServer.TYPE_A), "the alias's TTL is the lower one");

        zone.cname("dangling.alias.test", "nowhere.alias.test", 30);
        assertEquals(Result.NO_DATA, answer(resolver.a("dangling.alias.test")).result());
    }

    @Test
    void concurrentLookupsOfOneNameShareOneQuery() {
        zone.a("shared.test", "192.0.2.3");
        Future<DnsAnswer<InetAddress>> first = resolver.a("shared.test");
        Future<DnsAnswer<InetAddress>> second = resolver.a("shared.test");
        assertEquals(found(first), found(second));
        assertEquals(1, zone.queries("shared.test", ZoneServer.TYPE_A));
    }

    // ---- hostile names

    @Test
    void aNameOver253OctetsIsRefusedWithoutAQuery() {
        String label = "a".repeat(63);
        String tooLong = String.join(".", label, label, label, "b".repeat(57)) + ".test"; // 254 octets
        assertEquals(254, tooLong.length());
        DnsAnswer<String> answer = answer(resolver.txt(tooLong));
        assertEquals(Result.INVALID_NAME, answer.result());
        assertFalse(answer.isNone());
        assertFalse(answer.isTemporary());
        assertEquals(0, zone.queries(tooLong, ZoneServer.TYPE_TXT));

        String longest = tooLong.substring(1); // 253 octets: asked
        assertEquals(Result.NXDOMAIN, answer(resolver.txt(longest)).result());
        assertEquals(1, zone.queries(longest, ZoneServer.TYPE_TXT));
    }

    @Test
    void badLabelsAreRefusedWithoutAQuery() {
        for (String bad : List.of("", ".", "a..test", "x".repeat(64) + ".test", "sp ace.test", "nul\u0000.test", "\u00df.test",
                "x".repeat(2000))) {
            assertEquals(Result.INVALID_NAME, answer(resolver.a(bad)).result(), bad);
        }
    }

    @Test
    void anIdnIsAskedByItsALabels() throws Exception {
        zone.a("xn--bcher-kva.test", "192.0.2.4");
        assertEquals(List.of(InetAddress.getByName("192.0.2.4")), found(resolver.a("B\u00fccher.test")));
        assertEquals(1, zone.queries("xn--bcher-kva.test", ZoneServer.TYPE_A));
    }

    // ---- cache budget

    @Test
    void manyNamesDoNotGrowTheCacheBeyondItsBudget() throws Exception {
        long budget = 8_000;
        DnsResolver small = resolver(Duration.ofSeconds(2), budget, zone.address());
        int names = 200;
        for (int i = 0; i < names; i++) {
            zone.txt("n" + i + ".test", 3600, "v=spf1 ip4:192.0.2." + i + " -all");
        }
        for (int i = 0; i < names; i++) {
            found(small.txt("n" + i + ".test"));
            assertTrue(small.cacheWeight() <= budget, "weight " + small.cacheWeight() + " after " + (i + 1) + " names");
        }
        assertTrue(small.cacheEntries() > 0 && small.cacheEntries() < names, small.cacheEntries() + " entries");
        found(small.txt("n" + (names - 1) + ".test"));
        assertEquals(1, zone.queries("n" + (names - 1) + ".test", ZoneServer.TYPE_TXT), "the latest name still cached");
        found(small.txt("n0.test"));
        assertEquals(2, zone.queries("n0.test", ZoneServer.TYPE_TXT), "the oldest name evicted");
    }

    // ---- settings

    @Test
    void serversAreIpLiteralsWithAnOptionalPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 53), DnsResolver.server("127.0.0.1"));
        assertEquals(new InetSocketAddress("127.0.0.1", 15353), DnsResolver.server("127.0.0.1:15353"));
        assertEquals(new InetSocketAddress("::1", 5353), DnsResolver.server("[::1]:5353"));
        assertEquals(new InetSocketAddress("::1", 53), DnsResolver.server("::1"));
        for (String bad : List.of("dns.example", "127.0.0.1:0", "127.0.0.1:x", "[::1", "[::1]x")) {
            assertThrows(IllegalArgumentException.class, () -> DnsResolver.server(bad), bad);
        }
    }

    /** Strangers choose the names: past the cap a lookup fails at once, and the cap frees as queries end. */
    @Test
    void queriesUnderWayAreCapped() throws Exception {
        ZoneServer zone = zone();
        zone.txt("known.test", 60, "v=spf1 -all");
        List<Future<DnsAnswer<String>>> slow = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            zone.silent("slow" + i + ".test");
        }
        DnsResolver resolver = resolver(Duration.ofMillis(500), DnsResolver.DEFAULT_CACHE_OCTETS, 3, zone.address());
        for (int i = 0; i < 3; i++) {
            slow.add(resolver.txt("slow" + i + ".test"));
        }
        slow.add(resolver.txt("slow0.test")); // the same query, shared: no new one
        DnsAnswer<String> refused = answer(resolver.txt("known.test"));
        assertEquals(DnsAnswer.Result.TEMPORARY_FAILURE, refused.result());
        assertTrue(refused.detail().contains("busy"), refused.detail());
        for (Future<DnsAnswer<String>> lookup : slow) {
            assertEquals(DnsAnswer.Result.TEMPORARY_FAILURE, answer(lookup).result());
        }
        assertEquals(List.of("v=spf1 -all"), answer(resolver.txt("known.test")).records(), "room again once they ended");
    }

    // ---- helpers

    private ZoneServer zone() throws Exception {
        ZoneServer server = new ZoneServer();
        closing.add(server);
        return server;
    }

    private DnsResolver resolver(Duration timeout, long cacheOctets, String... servers) {
        return resolver(timeout, cacheOctets, DnsResolver.DEFAULT_MAX_IN_FLIGHT, servers);
    }

    private DnsResolver resolver(Duration timeout, long cacheOctets, int maxInFlight, String... servers) {
        DnsResolver created = new DnsResolver(vertx, new DnsResolver.Settings(List.of(servers), timeout, cacheOctets,
                DnsResolver.DEFAULT_MAX_TTL, DnsResolver.DEFAULT_MAX_NEGATIVE_TTL, maxInFlight), () -> Instant.ofEpochMilli(now.get()));
        closing.add(0, created);
        return created;
    }

    private static <T> DnsAnswer<T> answer(Future<DnsAnswer<T>> lookup) {
        try {
            return lookup.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the lookup did not complete", e);
        }
    }

    private static <T> List<T> found(Future<DnsAnswer<T>> lookup) {
        DnsAnswer<T> answer = answer(lookup);
        assertEquals(Result.FOUND, answer.result(), answer.detail());
        return answer.records();
    }
}
