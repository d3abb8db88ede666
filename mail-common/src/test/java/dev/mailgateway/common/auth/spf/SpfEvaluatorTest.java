package dev.mailgateway.common.auth.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;

import dev.mailgateway.common.auth.spf.SpfResult.Identity;
import dev.mailgateway.common.auth.spf.SpfResult.Status;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.testing.ZoneServer;

/** What the interop table cannot show: the bounds on hostile zones, the result's fields, and a future that never fails. */
class SpfEvaluatorTest {

    private final Vertx vertx = Vertx.vertx();
    private ZoneServer zone;
    private DnsResolver resolver;
    private SpfEvaluator evaluator;

    @BeforeEach
    void start() throws Exception {
        zone = new ZoneServer();
        resolver = new DnsResolver(vertx, DnsResolver.Settings.of(List.of(zone.address()), Duration.ofSeconds(2)));
        evaluator = new SpfEvaluator(resolver);
    }

    @AfterEach
    void stop() throws Exception {
        resolver.close();
        zone.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private SpfResult check(String client, String mailFrom, String helo) throws Exception {
        return evaluator.check(client == null ? null : InetAddress.getByName(client), mailFrom, helo)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theResultNamesTheIdentityForAuthenticationResults() throws Exception {
        zone.txt("example.test", 60, "v=spf1 ip4:192.0.2.1 -all");
        SpfResult mailFrom = check("192.0.2.1", "alice@example.test", "helo.test");
        assertEquals(Status.PASS, mailFrom.status());
        assertEquals("pass", mailFrom.status().token());
        assertEquals(Identity.MAILFROM, mailFrom.identity());
        assertEquals("smtp.mailfrom", mailFrom.identity().property());
        assertEquals("alice@example.test", mailFrom.checked());

        SpfResult helo = check("192.0.2.2", "", "example.test");
        assertEquals("fail", helo.status().token());
        assertEquals("smtp.helo", helo.identity().property());
        assertEquals("example.test", helo.checked());
        assertEquals("softfail temperror permerror none neutral", String.join(" ", Status.SOFTFAIL.token(),
                Status.TEMPERROR.token(), Status.PERMERROR.token(), Status.NONE.token(), Status.NEUTRAL.token()));
    }

    @Test
    void aSenderWithoutALocalPartIsPostmaster() throws Exception {
        zone.txt("nolocal.test", 60, "v=spf1 exists:%{s}.senders.test -all").a("postmaster@nolocal.test.senders.test", "127.0.0.2");
        for (String sender : List.of("@nolocal.test", "nolocal.test", "@nolocal.test.")) {
            SpfResult result = check("192.0.2.1", sender, "h.test");
            assertEquals(Status.PASS, result.status(), sender + ": %{s} is postmaster@nolocal.test, RFC 7208 4.3");
            assertEquals(sender, result.checked(), "smtp.mailfrom is what the client gave");
            assertEquals("nolocal.test", result.domain());
        }
        assertEquals(Status.FAIL, check("192.0.2.1", "bob@nolocal.test", "h.test").status());
    }

    @Test
    void theDomainDmarcAlignsHasNoTrailingDot() {
        assertEquals("example.com", new SpfResult(Status.PASS, Identity.MAILFROM, "a@Example.COM.", "").domain());
        assertEquals("mx.example.com", new SpfResult(Status.PASS, Identity.HELO, "mx.example.com.", "").domain());
        assertEquals("example.com", new SpfResult(Status.PASS, Identity.MAILFROM, "a@example.com", "").domain());
        assertEquals("example.com.", new SpfResult(Status.PASS, Identity.MAILFROM, "a@example.com..", "").domain(), "one dot only");
    }

    @Test
    void onlyTheFirstTenPtrNamesAreValidated() throws Exception {
        zone.txt("ptr.test", 60, "v=spf1 ptr -all");
        for (int i = 1; i <= 11; i++) {
            zone.ptr("192.0.2.9", "h" + i + ".elsewhere.test");
        }
        zone.ptr("192.0.2.9", "mail.ptr.test").a("mail.ptr.test", "192.0.2.9");
        assertEquals(Status.FAIL, check("192.0.2.9", "a@ptr.test", "h.test").status(), "the 12th name is not looked at");
        assertEquals(0, zone.queries("mail.ptr.test", ZoneServer.TYPE_A));
    }

    @Test
    void aNullMxNamesNoHost() throws Exception {
        zone.txt("nullmx.test", 60, "v=spf1 mx ?all").nullMx("nullmx.test");
        assertEquals(Status.NEUTRAL, check("192.0.2.1", "a@nullmx.test", "h.test").status());
    }

    @Test
    void theReasonFitsAHeaderComment() throws Exception {
        zone.txt("hostile.test", 60, "v=spf1 ip4:192.0.2.1 foo(\\)bar -all");
        SpfResult result = check("192.0.2.1", "a@hostile.test", "h.test");
        assertEquals(Status.PERMERROR, result.status());
        assertTrue(result.reason().matches("[ -~&&[^()\\\\]]*"), result.reason());
        zone.txt("long.test", 60, "v=spf1 -" + "x".repeat(1000));
        assertTrue(check("192.0.2.1", "a@long.test", "h.test").reason().length() <= SpfResult.MAX_REASON);
    }

    @Test
    void theFutureNeverFails() throws Exception {
        assertEquals(Status.PERMERROR, check(null, "a@example.test", "h.test").status());
        assertEquals(Status.NONE, check("192.0.2.1", null, null).status());
        assertEquals(Status.NONE, check("192.0.2.1", "a@" + "x".repeat(300) + ".test", "h.test").status());
        assertEquals(Status.NONE, check("192.0.2.1", "nodomain@", "h.test").status());
    }

    @Test
    void anIpv4MappedClientIsIpv4() throws Exception {
        InetAddress mapped = InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1});
        assertEquals(InetAddress.getByName("192.0.2.1"), SpfEvaluator.unmapped(mapped));
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        assertEquals(v6, SpfEvaluator.unmapped(v6));
    }
}
