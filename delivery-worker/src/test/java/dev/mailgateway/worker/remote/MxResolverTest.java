package dev.mailgateway.worker.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.testing.ZoneServer;

/** RFC 5321 section 5.1 routing over the shared resolver, against a zone on loopback; no Quarkus, no Kafka. */
class MxResolverTest {

    private final Vertx vertx = Vertx.vertx();
    private ZoneServer zone;
    private ZoneServer failing;
    private MailConfig mail;
    private DnsResolver dns;
    private MxResolver resolver;

    @BeforeEach
    void start() throws Exception {
        zone = new ZoneServer();
        failing = new ZoneServer();
        dns = new DnsResolver(vertx, DnsResolver.Settings.of(List.of(zone.address()), Duration.ofSeconds(1)));
        mail = new SmallRyeConfigBuilder().withConverter(Duration.class, 200, new DurationConverter()).withMapping(MailConfig.class)
                .withDefaultValues(Map.of("mail.hostname", "gateway.test")).build().getConfigMapping(MailConfig.class);
        resolver = new MxResolver(dns, mail);
    }

    @AfterEach
    void close() throws Exception {
        dns.close();
        zone.close();
        failing.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void mxHostsByPreferenceEachWithItsAddresses() {
        zone.mx("pref.test", 20, "mx2.pref.test").mx("pref.test", 10, "MX1.pref.test")
                .a("mx1.pref.test", "192.0.2.1").a("mx1.pref.test", "2001:db8::1").a("mx2.pref.test", "192.0.2.2");
        assertEquals(List.of(new NextHop("mx1.pref.test", "192.0.2.1"), new NextHop("mx1.pref.test", "2001:db8::1"),
                new NextHop("mx2.pref.test", "192.0.2.2")), hosts("pref.test"));
    }

    @Test
    void aHostileMxSetIsCutToTheBestHostsAndAddresses() {
        for (int i = 0; i < 500; i++) {
            zone.mx("many.test", i, "mx" + i + ".many.test").a("mx" + i + ".many.test", "192.0.2." + (i % 250 + 1))
                    .a("mx" + i + ".many.test", "198.51.100." + (i % 250 + 1)).a("mx" + i + ".many.test", "2001:db8::" + Integer.toHexString(i + 1));
        }
        List<NextHop> hops = hosts("many.test");
        assertEquals(MxResolver.MX_ADDRESS_LIMIT, hops.size());
        assertEquals("mx0.many.test", hops.get(0).hostName(), "the best preference first");
        assertTrue(hops.stream().allMatch(hop -> Integer.parseInt(hop.hostName().substring(2, hop.hostName().indexOf('.'))) < MxResolver.MX_HOST_LIMIT),
                "no host below the best " + MxResolver.MX_HOST_LIMIT);
        assertEquals(1, zone.queries("mx" + (MxResolver.MX_HOST_LIMIT - 1) + ".many.test", 1), "the last host within the limit is looked up");
        assertEquals(0, zone.queries("mx" + MxResolver.MX_HOST_LIMIT + ".many.test", 1), "the hosts past it never are");
    }

    @Test
    void anMxNameNoResolverCouldAskAboutIsDropped() {
        zone.mx("odd.test", 5, "x y.odd.test").mx("odd.test", 6, "tab\there.odd.test").mx("odd.test", 10, "good.odd.test")
                .a("good.odd.test", "192.0.2.9");
        assertEquals(List.of(new NextHop("good.odd.test", "192.0.2.9")), hosts("odd.test"));
    }

    @Test
    void noMxMeansTheDomainItself() {
        zone.a("implicit.test", "192.0.2.3");
        assertEquals(List.of(new NextHop("implicit.test", "192.0.2.3")), hosts("implicit.test"));
    }

    @Test
    void noMxAndNoAddressIsPermanent() {
        zone.txt("bare.test", 60, "v=spf1 -all");
        assertEquals(MxResolver.NO_ADDRESS, unroutable("bare.test"));
    }

    @Test
    void aNullMxIsPermanent() {
        zone.nullMx("nullmx.test");
        assertEquals(MxResolver.NULL_MX, unroutable("nullmx.test"));
    }

    @Test
    void aDomainThatDoesNotExistIsPermanent() {
        assertEquals(MxResolver.NO_SUCH_DOMAIN, unroutable("nowhere.test"));
    }

    @Test
    void aNameDnsCannotCarryIsPermanentAndNeverAsked() {
        String tooLong = ("a".repeat(63) + ".").repeat(4) + "test";
        assertEquals("5.1.2", unroutable(tooLong).enhanced());
        assertTrue(unroutable(tooLong).isPermanent());
    }

    @Test
    void resolversThatFailAreTemporaryAfterEachWasAsked() {
        twoResolvers();
        failing.broken("broken.test");
        zone.broken("broken.test");
        assertEquals(MxResolver.LOOKUP_FAILED, unroutable("broken.test"), "no resolver address in a reply that reaches senders");
        assertEquals(1, failing.queries("broken.test", ZoneServer.TYPE_MX));
        assertEquals(1, zone.queries("broken.test", ZoneServer.TYPE_MX));
    }

    @Test
    void aFailingFirstResolverIsPassedOver() {
        twoResolvers();
        failing.broken("failover.test");
        zone.a("failover.test", "192.0.2.4");
        assertEquals(List.of(new NextHop("failover.test", "192.0.2.4")), hosts("failover.test"));
    }

    /** The failing server first, then the zone. */
    private void twoResolvers() {
        dns.close();
        dns = new DnsResolver(vertx, DnsResolver.Settings.of(List.of(failing.address(), zone.address()), Duration.ofSeconds(1)));
        resolver = new MxResolver(dns, mail);
    }

    @Test
    void whenThisGatewayIsAnMxOnlyBetterOnesAreTried() {
        zone.mx("loop.test", 10, "gateway.test").mx("loop.test", 5, "better.loop.test").mx("loop.test", 20, "worse.loop.test")
                .a("better.loop.test", "192.0.2.5").a("worse.loop.test", "192.0.2.6");
        assertEquals(List.of(new NextHop("better.loop.test", "192.0.2.5")), hosts("loop.test"));
        zone.mx("only.test", 10, "gateway.test");
        assertEquals(MxResolver.MX_IS_US, unroutable("only.test"));
    }

    @Test
    void mxHostsWithoutAddressesAreTemporary() {
        zone.mx("hollow.test", 10, "gone.hollow.test");
        assertEquals("4.4.3", unroutable("hollow.test").enhanced());
    }

    @Test
    void equalPreferencesAreShuffled() {
        List<dev.mailgateway.common.dns.MxHost> records = List.of(new dev.mailgateway.common.dns.MxHost(10, "a.test"),
                new dev.mailgateway.common.dns.MxHost(10, "b.test"), new dev.mailgateway.common.dns.MxHost(5, "first.test"));
        java.util.Set<List<String>> orders = new java.util.HashSet<>();
        for (int i = 0; i < 64; i++) {
            List<String> order = MxResolver.ordered(records);
            assertEquals("first.test", order.get(0));
            orders.add(order);
        }
        assertEquals(2, orders.size());
    }

    @Test
    void answersAreCachedForTheirTtl() {
        zone.mx("cached.test", 10, "mx.cached.test").a("mx.cached.test", "192.0.2.7");
        hosts("cached.test");
        hosts("cached.test");
        assertEquals(1, zone.queries("cached.test", ZoneServer.TYPE_MX));
        assertEquals(1, zone.queries("mx.cached.test", ZoneServer.TYPE_A));
    }

    private List<NextHop> hosts(String domain) {
        Route route = route(domain);
        assertTrue(route instanceof Route.Hosts, route.toString());
        return ((Route.Hosts) route).hops();
    }

    private dev.mailgateway.common.reply.SmtpReply unroutable(String domain) {
        Route route = route(domain);
        assertTrue(route instanceof Route.Unroutable, route.toString());
        return ((Route.Unroutable) route).reply();
    }

    private Route route(String domain) {
        try {
            return resolver.resolve(domain).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
