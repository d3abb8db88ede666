package dev.mailgateway.common.auth.spf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.testing.InteropScript;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.ZoneServer;

/**
 * Interoperability with an independent implementation: pyspf, Debian's
 * python3-spf, driven through src/test/python/pyspf_interop.py. One
 * {@link ZoneServer} serves every record set of the table; pyspf (through
 * dnspython pointed at that server) and our evaluator answer the same
 * questions, and each row is one test, named after its case. Where pyspf
 * departs from RFC 7208 the row stays, with the RFC's answer and the
 * section that gives it: ours must give the RFC's answer, and pyspf its
 * own, so the row says when pyspf changes. pyspf is installed first when
 * missing (deploy/local/test-tools); without it the test fails, it never skips.
 */
class SpfInteropTest {

    /** pyspf's time for one check: a silent name is a temperror after it. */
    private static final int PYSPF_QUERY_SECONDS = 4;
    /** Our resolver's wait for one server. */
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(1);

    private static final String C4 = "192.0.2.1";
    private static final String OTHER = "198.51.100.7";
    private static final String C6 = "2001:db8::1";
    private static final String MAPPED = "::ffff:192.0.2.1";
    private static final String PTR4 = "192.0.2.55";
    private static final String PTR_FORGED = "192.0.2.56";
    private static final String PTR6 = "2001:db8::55";
    private static final String HELO = "mail.client.test";
    private static final String LONG_LOCAL = "a".repeat(60);

    /**
     * One question: the client, MAIL FROM ("" for {@code <>}) and HELO; for a row where pyspf departs from
     * the RFC, the RFC's result and the section that gives it.
     */
    private record Row(String name, String client, String mailFrom, String helo, String rfcResult, String citation) {
    }

    private static final Vertx VERTX = Vertx.vertx();
    private static ZoneServer zone;
    private static DnsResolver resolver;

    @BeforeAll
    static void start() throws IOException {
        LocalStack.ensureTestTools();
        zone = new ZoneServer();
        records(zone);
        resolver = new DnsResolver(VERTX, DnsResolver.Settings.of(List.of(zone.address()), DNS_TIMEOUT));
    }

    @AfterAll
    static void stop() throws Exception {
        resolver.close();
        zone.close();
        VERTX.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void records(ZoneServer z) {
        txt(z, "ip4.spf.test", "v=spf1 ip4:192.0.2.0/24 -all");
        txt(z, "softfail.spf.test", "v=spf1 ip4:203.0.113.0/24 ~all");
        txt(z, "neutral.spf.test", "v=spf1 ip4:203.0.113.0/24 ?all");
        txt(z, "noall.spf.test", "v=spf1 ip4:203.0.113.5");
        txt(z, "norecord.spf.test", "google-site-verification=abc");
        txt(z, "two.spf.test", "v=spf1 -all");
        txt(z, "two.spf.test", "v=spf1 +all");
        txt(z, "spf10.spf.test", "v=spf10 +all");
        txt(z, "case.spf.test", "V=SPF1 IP4:192.0.2.1 -ALL");
        txt(z, "unknown-mech.spf.test", "v=spf1 ip4:192.0.2.1 foo:bar -all");
        txt(z, "bad-cidr.spf.test", "v=spf1 ip4:192.0.2.0/33 -all");
        txt(z, "bad-ip4.spf.test", "v=spf1 ip4:192.0.2 -all");
        txt(z, "bad-domain.spf.test", "v=spf1 a:localhost ip4:192.0.2.1 -all");
        txt(z, "unknown-mod.spf.test", "v=spf1 moo=bar ip4:192.0.2.1 -all");
        txt(z, "two-redirects.spf.test", "v=spf1 redirect=ip4.spf.test redirect=ip4.spf.test");
        txt(z, "exp.spf.test", "v=spf1 -all exp=explain.spf.test");
        txt(z, "explain.spf.test", "%{i} is not one of our servers");

        txt(z, "a.spf.test", "v=spf1 a -all");
        z.a("a.spf.test", C4);
        txt(z, "a-cidr.spf.test", "v=spf1 a:host.a-cidr.spf.test/24 -all");
        z.a("host.a-cidr.spf.test", "192.0.2.200");
        txt(z, "a-dual.spf.test", "v=spf1 a/24//64 -all");
        z.a("a-dual.spf.test", "203.0.113.1").a("a-dual.spf.test", "2001:db8::ffff");
        txt(z, "dot.spf.test", "v=spf1 a:a.spf.test. -all");

        txt(z, "mx.spf.test", "v=spf1 mx -all");
        z.mx("mx.spf.test", 10, "mx1.mx.spf.test").mx("mx.spf.test", 20, "mx2.mx.spf.test");
        z.a("mx1.mx.spf.test", "198.51.100.99").a("mx2.mx.spf.test", C4);
        txt(z, "mx-many.spf.test", "v=spf1 mx ip4:192.0.2.1 -all");
        for (int i = 1; i <= 11; i++) {
            z.mx("mx-many.spf.test", i, "mx" + i + ".mx-many.spf.test").a("mx" + i + ".mx-many.spf.test", "203.0.113." + i);
        }
        txt(z, "mx6.spf.test", "v=spf1 mx -all");
        for (int i = 1; i <= 3; i++) {
            z.mx("mx6.spf.test", i, "mx" + i + ".mx6.spf.test").a("mx" + i + ".mx6.spf.test", "203.0.113." + i);
        }

        txt(z, "ptr.spf.test", "v=spf1 ptr -all");
        z.ptr(PTR4, "mail.ptr.spf.test").a("mail.ptr.spf.test", PTR4);
        z.ptr(PTR_FORGED, "forged.ptr.spf.test").a("forged.ptr.spf.test", "203.0.113.9");
        z.ptr(PTR6, "v6.ptr.spf.test").a("v6.ptr.spf.test", PTR6);
        txt(z, "ptr-other.spf.test", "v=spf1 ptr:elsewhere.test -all");

        txt(z, "ip6.spf.test", "v=spf1 ip6:2001:db8::/32 -all");
        txt(z, "exists.spf.test", "v=spf1 exists:%{i}.allow.exists.spf.test -all");
        z.a(C4 + ".allow.exists.spf.test", "127.0.0.2");

        txt(z, "include.spf.test", "v=spf1 include:ip4.spf.test -all");
        txt(z, "include-none.spf.test", "v=spf1 include:norecord.spf.test ip4:192.0.2.1 -all");
        txt(z, "include-temp.spf.test", "v=spf1 include:broken.spf.test -all");
        z.broken("broken.spf.test");
        txt(z, "include-perm.spf.test", "v=spf1 include:two.spf.test ip4:192.0.2.1 -all");
        txt(z, "redirect.spf.test", "v=spf1 redirect=ip4.spf.test");
        txt(z, "redirect-all.spf.test", "v=spf1 ?all redirect=ip4.spf.test");
        txt(z, "redirect-none.spf.test", "v=spf1 redirect=norecord.spf.test");
        txt(z, "loop-a.spf.test", "v=spf1 redirect=loop-b.spf.test");
        txt(z, "loop-b.spf.test", "v=spf1 redirect=loop-a.spf.test");
        txt(z, "include-loop.spf.test", "v=spf1 include:include-loop.spf.test -all");
        txt(z, "iloop-a.spf.test", "v=spf1 include:iloop-b.spf.test -all");
        txt(z, "iloop-b.spf.test", "v=spf1 include:iloop-a.spf.test -all");

        StringBuilder ten = new StringBuilder("v=spf1");
        for (int i = 1; i <= 11; i++) {
            txt(z, "l" + i + ".spf.test", "v=spf1 -all");
            if (i <= 10) {
                ten.append(" include:l").append(i).append(".spf.test");
            }
        }
        txt(z, "lookups10.spf.test", ten + " ip4:192.0.2.1 -all");
        txt(z, "lookups11.spf.test", ten + " include:l11.spf.test ip4:192.0.2.1 -all");
        txt(z, "void2.spf.test", "v=spf1 a:v1.void.spf.test a:v2.void.spf.test ip4:192.0.2.1 -all");
        txt(z, "void3.spf.test", "v=spf1 a:v1.void.spf.test a:v2.void.spf.test exists:v3.void.spf.test ip4:192.0.2.1 -all");
        txt(z, "temp-a.spf.test", "v=spf1 a:silent.spf.test -all");
        z.silent("silent.spf.test");

        txt(z, "ir.spf.test", "v=spf1 exists:%{ir}.%{v}._spf.%{d} -all");
        z.a("1.2.0.192.in-addr._spf.ir.spf.test", "127.0.0.2");
        z.a("1.0.0.0." + "0.".repeat(20) + "8.b.d.0.1.0.0.2.ip6._spf.ir.spf.test", "127.0.0.2");
        txt(z, "l.spf.test", "v=spf1 exists:%{l}._spf.%{d} -all");
        z.a("alice._spf.l.spf.test", "127.0.0.2");
        txt(z, "lr.spf.test", "v=spf1 exists:%{lr-}.%{o}.users.spf.test -all");
        z.a("smith.john.lr.spf.test.users.spf.test", "127.0.0.2");
        txt(z, "upper.spf.test", "v=spf1 exists:%{L}.upper.spf.test -all");
        z.a("a%2Bb.upper.spf.test", "127.0.0.2");
        txt(z, "h.spf.test", "v=spf1 exists:%{h}.helos.spf.test -all");
        z.a(HELO + ".helos.spf.test", "127.0.0.2");
        txt(z, "d2.spf.test", "v=spf1 redirect=_d2.%{d2}");
        txt(z, "_d2.spf.test", "v=spf1 ip4:192.0.2.1 -all");
        txt(z, "p.spf.test", "v=spf1 exists:%{p}.names.spf.test -all");
        z.a("mail.ptr.spf.test.names.spf.test", "127.0.0.2");
        txt(z, "trunc.spf.test", "v=spf1 exists:%{l}.%{l}.%{l}.%{l}.trunc.spf.test -all");
        z.a(String.join(".", LONG_LOCAL, LONG_LOCAL, LONG_LOCAL) + ".trunc.spf.test", "127.0.0.2");
        txt(z, "nolocal.spf.test", "v=spf1 exists:%{s}.senders.spf.test -all");
        z.a("postmaster@nolocal.spf.test.senders.spf.test", "127.0.0.2");
        txt(z, "macro-bad.spf.test", "v=spf1 exists:%{x}.spf.test -all");
        txt(z, "macro-exp-letter.spf.test", "v=spf1 exists:%{t}.spf.test -all");

        txt(z, "helo.spf.test", "v=spf1 ip4:192.0.2.1 -all");
        txt(z, "helo-l.spf.test", "v=spf1 exists:%{l}.%{o}.postmasters.spf.test -all");
        z.a("postmaster.helo-l.spf.test.postmasters.spf.test", "127.0.0.2");
    }

    private static void txt(ZoneServer z, String name, String text) {
        z.txt(name, ZoneServer.DEFAULT_TTL, text);
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(row("ip4 in the network, -all", C4, "alice@ip4.spf.test"));
        rows.add(row("ip4 outside the network, -all", OTHER, "alice@ip4.spf.test"));
        rows.add(row("~all", OTHER, "alice@softfail.spf.test"));
        rows.add(row("?all", OTHER, "alice@neutral.spf.test"));
        rows.add(row("no match and no all: neutral", OTHER, "alice@noall.spf.test"));
        rows.add(row("TXT records but no SPF record", C4, "alice@norecord.spf.test"));
        rows.add(row("NXDOMAIN", C4, "alice@nothere.spf.test"));
        rows.add(row("two SPF records", C4, "alice@two.spf.test"));
        rows.add(row("v=spf10 is no SPF record", C4, "alice@spf10.spf.test"));
        rows.add(row("upper-case record", C4, "alice@case.spf.test"));
        rows.add(row("unknown mechanism after a matching one", C4, "alice@unknown-mech.spf.test"));
        rows.add(row("CIDR length over 32", C4, "alice@bad-cidr.spf.test"));
        rows.add(row("three-octet ip4", C4, "alice@bad-ip4.spf.test"));
        rows.add(row("domain-spec without a top label", C4, "alice@bad-domain.spf.test"));
        rows.add(row("unknown modifier ignored", C4, "alice@unknown-mod.spf.test"));
        rows.add(row("redirect twice", C4, "alice@two-redirects.spf.test"));
        rows.add(row("exp on a fail", OTHER, "alice@exp.spf.test"));
        rows.add(row("a", C4, "alice@a.spf.test"));
        rows.add(row("a, IPv6 client, no AAAA", C6, "alice@a.spf.test"));
        rows.add(row("a with a domain and /24", C4, "alice@a-cidr.spf.test"));
        rows.add(row("a/24//64, IPv6 client", C6, "alice@a-dual.spf.test"));
        rows.add(row("a/24//64, IPv4 client outside", C4, "alice@a-dual.spf.test"));
        rows.add(row("a with a trailing dot", C4, "alice@dot.spf.test"));
        rows.add(row("mx, second host", C4, "alice@mx.spf.test"));
        rows.add(row("mx, no host", OTHER, "alice@mx.spf.test"));
        rows.add(row("mx with 11 names", C4, "alice@mx-many.spf.test"));
        rows.add(disagree("mx, IPv6 client, hosts with A only", C6, "alice@mx6.spf.test", HELO, "fail",
                "RFC 7208 4.6.4 limits void lookups per term (the mx term's MX lookup found records); pyspf counts each empty AAAA lookup"));
        rows.add(row("ptr validated", PTR4, "alice@ptr.spf.test"));
        rows.add(row("ptr not validated", PTR_FORGED, "alice@ptr.spf.test"));
        rows.add(row("ptr, IPv6 client", PTR6, "alice@ptr.spf.test"));
        rows.add(row("ptr of another domain", PTR4, "alice@ptr-other.spf.test"));
        rows.add(row("ptr without PTR records", OTHER, "alice@ptr.spf.test"));
        rows.add(row("ip6 in the network", C6, "alice@ip6.spf.test"));
        rows.add(row("ip6 record, IPv4 client", C4, "alice@ip6.spf.test"));
        rows.add(row("ip4 record, IPv6 client", C6, "alice@ip4.spf.test"));
        rows.add(row("IPv4-mapped IPv6 client", MAPPED, "alice@ip4.spf.test"));
        rows.add(row("exists %{i}", C4, "alice@exists.spf.test"));
        rows.add(row("exists %{i}, not listed", OTHER, "alice@exists.spf.test"));
        rows.add(row("include pass", C4, "alice@include.spf.test"));
        rows.add(row("include fail is no match", OTHER, "alice@include.spf.test"));
        rows.add(row("include of a domain without record", C4, "alice@include-none.spf.test"));
        rows.add(row("include of a SERVFAIL domain", C4, "alice@include-temp.spf.test"));
        rows.add(row("include of a permerror", C4, "alice@include-perm.spf.test"));
        rows.add(row("SERVFAIL on the record", C4, "alice@broken.spf.test"));
        rows.add(row("a silent name: timeout", C4, "alice@temp-a.spf.test"));
        rows.add(row("redirect pass", C4, "alice@redirect.spf.test"));
        rows.add(row("redirect fail", OTHER, "alice@redirect.spf.test"));
        rows.add(row("redirect ignored beside all", OTHER, "alice@redirect-all.spf.test"));
        rows.add(row("redirect to a domain without record", C4, "alice@redirect-none.spf.test"));
        rows.add(row("redirect loop", C4, "alice@loop-a.spf.test"));
        rows.add(row("include of itself", C4, "alice@include-loop.spf.test"));
        rows.add(row("include loop over two domains", C4, "alice@iloop-a.spf.test"));
        rows.add(row("10 DNS-querying terms", C4, "alice@lookups10.spf.test"));
        rows.add(row("11 DNS-querying terms", C4, "alice@lookups11.spf.test"));
        rows.add(row("2 void lookups", C4, "alice@void2.spf.test"));
        rows.add(row("3 void lookups", C4, "alice@void3.spf.test"));
        rows.add(row("%{ir}.%{v}, IPv4", C4, "alice@ir.spf.test"));
        rows.add(row("%{ir}.%{v}, IPv6", C6, "alice@ir.spf.test"));
        rows.add(row("%{l} listed", C4, "alice@l.spf.test"));
        rows.add(row("%{l} not listed", C4, "bob@l.spf.test"));
        rows.add(row("%{lr-}.%{o}", C4, "john-smith@lr.spf.test"));
        rows.add(row("%{L} URL-escaped", C4, "a+b@upper.spf.test"));
        rows.add(row("%{h}", C4, "alice@h.spf.test"));
        rows.add(row("redirect to %{d2}", C4, "alice@d2.spf.test"));
        rows.add(row("%{p}", PTR4, "alice@p.spf.test"));
        rows.add(row("expansion over 253 octets cut from the left", C4, LONG_LOCAL + "@trunc.spf.test"));
        rows.add(disagree("no local-part: %{s} is postmaster@domain", C4, "@nolocal.spf.test", HELO, "pass",
                "RFC 7208 4.3 substitutes postmaster for a missing local-part; pyspf does for %{l} only"));
        rows.add(disagree("domain only: %{s} is postmaster@domain", C4, "nolocal.spf.test", HELO, "pass",
                "RFC 7208 4.3 substitutes postmaster for a missing local-part; pyspf does for %{l} only"));
        rows.add(row("unknown macro letter", C4, "alice@macro-bad.spf.test"));
        rows.add(row("%{t} outside exp", C4, "alice@macro-exp-letter.spf.test"));
        rows.add(new Row("HELO, null sender, pass", C4, "", "helo.spf.test", null, null));
        rows.add(new Row("HELO, null sender, fail", OTHER, "", "helo.spf.test", null, null));
        rows.add(new Row("HELO, null sender, %{l} is postmaster", OTHER, "", "helo-l.spf.test", null, null));
        rows.add(new Row("HELO, null sender, address literal", C4, "", "[192.0.2.1]", null, null));
        return rows;
    }

    private static Row row(String name, String client, String mailFrom) {
        return new Row(name, client, mailFrom, HELO, null, null);
    }

    private static Row disagree(String name, String client, String mailFrom, String helo, String rfcResult, String citation) {
        return new Row(name, client, mailFrom, helo, rfcResult, citation);
    }

    @TestFactory
    Stream<DynamicTest> pyspfAndWeAgreeOnEveryRow() {
        List<Row> rows = rows();
        assertTrue(rows.size() >= 30, "the table has at least 30 rows");
        JsonArray theirs = pyspf(rows);
        SpfEvaluator evaluator = new SpfEvaluator(resolver);
        return IntStream.range(0, rows.size()).mapToObj(i -> {
            Row row = rows.get(i);
            String pyspf = theirs.getJsonObject(i).getString("result");
            return DynamicTest.dynamicTest(row.name(), () -> {
                SpfResult ours = evaluator.check(InetAddress.getByName(row.client()), row.mailFrom(), row.helo())
                        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                String context = row + ": ours " + ours + ", pyspf " + theirs.getJsonObject(i);
                if (row.citation() == null) {
                    assertEquals(pyspf, ours.status().token(), context);
                } else {
                    assertEquals(row.rfcResult(), ours.status().token(), context);
                    assertNotEquals(row.rfcResult(), pyspf, "pyspf now follows the RFC: drop the mark. " + context);
                }
                assertEquals(row.mailFrom().isEmpty() ? SpfResult.Identity.HELO : SpfResult.Identity.MAILFROM, ours.identity());
                assertEquals(row.mailFrom().isEmpty() ? row.helo() : row.mailFrom(), ours.checked());
            });
        });
    }

    /** Runs every row in one pyspf process. */
    private static JsonArray pyspf(List<Row> rows) {
        JsonArray cases = new JsonArray();
        for (Row row : rows) {
            cases.add(new JsonObject().put("ip", row.client()).put("sender", row.mailFrom()).put("helo", row.helo()));
        }
        String[] server = zone.address().split(":");
        JsonObject job = new JsonObject().put("server", server[0]).put("port", Integer.parseInt(server[1]))
                .put("querytime", PYSPF_QUERY_SECONDS).put("cases", cases);
        JsonArray answers = InteropScript.run("pyspf_interop.py", job);
        assertEquals(rows.size(), answers.size());
        return answers;
    }
}
