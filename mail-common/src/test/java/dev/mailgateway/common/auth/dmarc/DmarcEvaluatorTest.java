package dev.mailgateway.common.auth.dmarc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.vertx.core.Vertx;

import dev.mailgateway.common.auth.spf.SpfResult;
import dev.mailgateway.common.auth.dkim.DkimResult;
import dev.mailgateway.common.auth.dkim.DkimResult.Status;
import dev.mailgateway.common.auth.dmarc.DmarcResult.Result;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.testing.ZoneServer;

/**
 * DMARC as a table: each row a From domain, an SPF check and DKIM results,
 * against records served by {@link ZoneServer}, with the result and the
 * disposition expected. pct= draws come from a fixed "random" number.
 */
class DmarcEvaluatorTest {

    private static final Vertx VERTX = Vertx.vertx();
    private static ZoneServer zone;
    private static DnsResolver resolver;

    @BeforeAll
    static void serve() throws Exception {
        zone = new ZoneServer()
                .txt("_dmarc.example.org", 60, "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@example.org")
                .txt("_dmarc.own.example.org", 60, "v=DMARC1; p=none")
                .txt("_dmarc.strict.example", 60, "v=DMARC1; p=reject; adkim=s; aspf=s")
                .txt("_dmarc.example.co.uk", 60, "v=DMARC1; p=quarantine")
                .txt("_dmarc.alice.github.io", 60, "v=DMARC1; p=reject")
                .txt("_dmarc.two.example", 60, "v=DMARC1; p=reject")
                .txt("_dmarc.two.example", 60, "v=DMARC1; p=none")
                .txt("_dmarc.mixed.example", 60, "v=spf1 -all")
                .txt("_dmarc.mixed.example", 60, "v=DMARC1;p=REJECT")
                .txt("_dmarc.quarantine.example", 60, "v=DMARC1; p=quarantine")
                .txt("_dmarc.pct0.example", 60, "v=DMARC1; p=reject; pct=0")
                .txt("_dmarc.pct50.example", 60, "v=DMARC1; p=reject; pct=50")
                .txt("_dmarc.badpct.example", 60, "v=DMARC1; p=reject; pct=150")
                .txt("_dmarc.badvalues.example", 60, "V=DMARC1; P=reject; ADKIM=x; Aspf=s; pct=-1; fo=2; rf=; ri=x")
                .txt("_dmarc.badlist.example", 60, "v=DMARC1; p=reject;; adkim=s")
                .txt("_dmarc.rua.example", 60, "v=DMARC1; rua=mailto:dmarc@rua.example")
                .txt("_dmarc.nop.example", 60, "v=DMARC1; p=block")
                .txt("_dmarc.xn--bcher-kva.example", 60, "v=DMARC1; p=reject")
                .txt("_dmarc.split.example", 60, "v=DMARC1; ", "p=reject")
                .broken("_dmarc.servfail.example");
        resolver = new DnsResolver(VERTX, DnsResolver.Settings.of(List.of(zone.address()), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void close() throws Exception {
        resolver.close();
        zone.close();
        VERTX.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private record Row(String name, String from, SpfResult spf, List<DkimResult> dkim, int draw, Result result,
            DmarcPolicy disposition) {
    }

    private static final SpfResult NO_SPF = spf("none", null);
    private static final int ANY = 0;

    private static final List<Row> TABLE = List.of(
            row("aligned SPF only", "example.org", spf("pass", "example.org"), List.of(), Result.PASS, DmarcPolicy.NONE),
            row("aligned DKIM only", "example.org", spf("fail", "example.org"), dkim(Status.PASS, "example.org"), Result.PASS, DmarcPolicy.NONE),
            row("both pass, neither aligned", "example.org", spf("pass", "example.net"), dkim(Status.PASS, "example.net"), Result.FAIL, DmarcPolicy.REJECT),
            row("relaxed SPF: MAIL FROM a subdomain", "example.org", spf("pass", "bounces.example.org"), List.of(), Result.PASS, DmarcPolicy.NONE),
            row("relaxed DKIM: d= a subdomain", "example.org", NO_SPF, dkim(Status.PASS, "mail.example.org"), Result.PASS, DmarcPolicy.NONE),
            row("strict SPF: the same domain", "strict.example", spf("pass", "strict.example"), List.of(), Result.PASS, DmarcPolicy.NONE),
            row("strict SPF: a subdomain does not align", "strict.example", spf("pass", "bounces.strict.example"), List.of(), Result.FAIL, DmarcPolicy.REJECT),
            row("strict DKIM: the same domain in other case", "strict.example", NO_SPF, dkim(Status.PASS, "STRICT.Example"), Result.PASS, DmarcPolicy.NONE),
            row("strict DKIM: a subdomain does not align", "strict.example", NO_SPF, dkim(Status.PASS, "mail.strict.example"), Result.FAIL, DmarcPolicy.REJECT),
            row("subdomain From without a record of its own: sp= applies", "mail.example.org", NO_SPF, dkim(Status.FAIL, "example.org"), Result.FAIL, DmarcPolicy.QUARANTINE),
            row("org-domain fallback: aligned DKIM of the org domain", "mail.example.org", NO_SPF, dkim(Status.PASS, "example.org"), Result.PASS, DmarcPolicy.NONE),
            row("the org domain's own mail: p= applies, not sp=", "example.org", spf("fail", "example.org"), List.of(), Result.FAIL, DmarcPolicy.REJECT),
            row("a subdomain's own record wins over the org domain's", "own.example.org", spf("fail", "own.example.org"), List.of(), Result.FAIL, DmarcPolicy.NONE),
            row("public suffix: a.example.co.uk aligns with example.co.uk", "a.example.co.uk", NO_SPF, dkim(Status.PASS, "example.co.uk"), Result.PASS, DmarcPolicy.NONE),
            row("public suffix: a pass for co.uk itself does not align", "a.example.co.uk", spf("pass", "co.uk"), dkim(Status.PASS, "other.co.uk"), Result.FAIL, DmarcPolicy.QUARANTINE),
            row("private suffix: bob.github.io does not speak for alice.github.io", "alice.github.io", spf("pass", "bob.github.io"), List.of(), Result.FAIL, DmarcPolicy.REJECT),
            row("no record", "norecord.example", spf("pass", "norecord.example"), List.of(), Result.NONE, DmarcPolicy.NONE),
            row("two records: no policy", "two.example", spf("fail", "two.example"), List.of(), Result.NONE, DmarcPolicy.NONE),
            row("a non-DMARC TXT record beside one is ignored; values are case-insensitive", "mixed.example", NO_SPF, List.of(), Result.FAIL, DmarcPolicy.REJECT),
            row("a record in two strings", "split.example", NO_SPF, List.of(), Result.FAIL, DmarcPolicy.REJECT),
            row("p=quarantine", "quarantine.example", spf("softfail", "quarantine.example"), List.of(), Result.FAIL, DmarcPolicy.QUARANTINE),
            row("pct=0: reject becomes quarantine", "pct0.example", NO_SPF, List.of(), Result.FAIL, DmarcPolicy.QUARANTINE),
            row("pct=50, draw 49: in the sample", "pct50.example", NO_SPF, List.of(), 49, Result.FAIL, DmarcPolicy.REJECT),
            row("pct=50, draw 50: out of the sample", "pct50.example", NO_SPF, List.of(), 50, Result.FAIL, DmarcPolicy.QUARANTINE),
            row("pct=50 and a pass: no draw matters", "pct50.example", spf("pass", "pct50.example"), List.of(), 50, Result.PASS, DmarcPolicy.NONE),
            row("invalid pct=150 ignored: pct=100", "badpct.example", NO_SPF, List.of(), 99, Result.FAIL, DmarcPolicy.REJECT),
            row("tag names in any case; invalid adkim= ignored: relaxed", "badvalues.example", NO_SPF,
                    dkim(Status.PASS, "mail.badvalues.example"), Result.PASS, DmarcPolicy.NONE),
            row("tag names in any case: Aspf=s holds", "badvalues.example", spf("pass", "a@mail.badvalues.example"), List.of(), 99,
                    Result.FAIL, DmarcPolicy.REJECT),
            row("strict SPF: a MAIL FROM domain with a trailing dot aligns", "strict.example", spf("pass", "a@strict.example."),
                    List.of(), Result.PASS, DmarcPolicy.NONE),
            row("malformed record: an empty tag", "badlist.example", NO_SPF, List.of(), Result.PERMERROR, DmarcPolicy.NONE),
            row("missing p= with a valid rua=: p=none", "rua.example", NO_SPF, List.of(), Result.FAIL, DmarcPolicy.NONE),
            row("invalid p= without rua=: no policy", "nop.example", NO_SPF, List.of(), Result.NONE, DmarcPolicy.NONE),
            row("DNS SERVFAIL", "servfail.example", spf("pass", "servfail.example"), List.of(), Result.TEMPERROR, DmarcPolicy.NONE),
            row("aligned DKIM temperror, nothing passes", "example.org", spf("fail", "example.org"), dkim(Status.TEMPERROR, "example.org"), Result.TEMPERROR, DmarcPolicy.NONE),
            row("misaligned DKIM temperror decides nothing", "example.org", NO_SPF, dkim(Status.TEMPERROR, "example.net"), Result.FAIL, DmarcPolicy.REJECT),
            row("aligned SPF temperror, nothing passes", "example.org", spf("temperror", "example.org"), List.of(), Result.TEMPERROR, DmarcPolicy.NONE),
            row("a temperror does not undo an aligned pass", "example.org", spf("pass", "example.org"), dkim(Status.TEMPERROR, "example.org"), Result.PASS, DmarcPolicy.NONE),
            row("DKIM pass with a non-aligned d=, aligned DKIM fail", "example.org", NO_SPF,
                    List.of(dkimResult(Status.PASS, "mailer.example"), dkimResult(Status.FAIL, "example.org")), Result.FAIL, DmarcPolicy.REJECT),
            row("IDN From in U-labels, d= in A-labels", "bücher.example", NO_SPF, dkim(Status.PASS, "xn--bcher-kva.example"), Result.PASS, DmarcPolicy.NONE),
            row("IDN From, misaligned", "BÜCHER.example", spf("pass", "bucher.example"), List.of(), Result.FAIL, DmarcPolicy.REJECT),
            row("null reverse-path: the HELO check stands in and aligns", "example.org",
                    new SpfResult(SpfResult.Status.PASS, SpfResult.Identity.HELO, "mx.example.org", ""), List.of(), Result.PASS, DmarcPolicy.NONE),
            row("From that is no domain name", "exa mple.org", spf("pass", "example.org"), List.of(), Result.PERMERROR, DmarcPolicy.NONE));

    @TestFactory
    Stream<DynamicTest> table() {
        return TABLE.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            DmarcResult result = evaluate(row.from(), row.spf(), row.dkim(), row.draw());
            assertEquals(row.result(), result.result(), result.reason());
            assertEquals(row.disposition(), result.disposition(), result.reason());
        }));
    }

    @Test
    void theResultNamesThePublishedAndTheAppliedPolicy() {
        DmarcResult sub = evaluate("Mail.Example.ORG", NO_SPF, List.of(), ANY);
        assertEquals(new DmarcResult(Result.FAIL, "No aligned SPF or DKIM pass", "mail.example.org", DmarcPolicy.REJECT,
                DmarcPolicy.QUARANTINE, DmarcPolicy.QUARANTINE), sub);

        DmarcResult sampledOut = evaluate("pct50.example", NO_SPF, List.of(), 99);
        assertEquals("No aligned SPF or DKIM pass; not in the pct=50 sample", sampledOut.reason());
        assertEquals(DmarcPolicy.REJECT, sampledOut.applied());

        DmarcResult none = evaluate("norecord.example", NO_SPF, List.of(), ANY);
        assertNull(none.policy(), "no record, no policy");
        assertEquals("No DMARC record", none.reason());
        assertEquals("Empty tag in tag list in the DMARC record at _dmarc.badlist.example",
                evaluate("badlist.example", NO_SPF, List.of(), ANY).reason(), "the reason names the rule, not the record");
    }

    @Test
    void discoveryAsksTheFromDomainThenTheOrganizationalDomainOnly() {
        evaluate("a.b.c.fallback.example", NO_SPF, List.of(), ANY);
        assertEquals(1, zone.queries("_dmarc.a.b.c.fallback.example", ZoneServer.TYPE_TXT));
        assertEquals(1, zone.queries("_dmarc.fallback.example", ZoneServer.TYPE_TXT));
        assertEquals(0, zone.queries("_dmarc.b.c.fallback.example", ZoneServer.TYPE_TXT), "no walk up the tree");

        assertEquals(Result.TEMPERROR, evaluate("sub.servfail.example", NO_SPF, List.of(), ANY).result(),
                "DNS trouble at the org domain is trouble");
    }

    @Test
    void severalRecordsEndDiscoveryWithoutTheOrganizationalDomain() {
        zone.txt("_dmarc.several.example.org", 60, "v=DMARC1; p=none").txt("_dmarc.several.example.org", 60, "v=DMARC1; p=none");
        DmarcResult result = evaluate("several.example.org", NO_SPF, List.of(), ANY);
        assertEquals(Result.NONE, result.result());
        assertEquals("Several DMARC records at _dmarc.several.example.org", result.reason());
    }

    @Test
    void aDomainTooLongForItsDmarcNameFallsBackToTheOrganizationalDomain() {
        String from = ("a".repeat(60) + ".").repeat(3) + "b".repeat(56) + ".example.org";
        assertEquals(251, from.length(), "a domain, but _dmarc. before it is over 253 characters");
        DmarcResult result = evaluate(from, NO_SPF, List.of(), ANY);
        assertEquals(Result.FAIL, result.result(), result.reason());
        assertEquals(DmarcPolicy.QUARANTINE, result.disposition());
    }

    private static Row row(String name, String from, SpfResult spf, List<DkimResult> dkim, Result result, DmarcPolicy disposition) {
        return new Row(name, from, spf, dkim, ANY, result, disposition);
    }

    private static Row row(String name, String from, SpfResult spf, List<DkimResult> dkim, int draw, Result result,
            DmarcPolicy disposition) {
        return new Row(name, from, spf, dkim, draw, result, disposition);
    }

    private static SpfResult spf(String result, String domain) {
        return new SpfResult(SpfResult.Status.valueOf(result.toUpperCase(java.util.Locale.ROOT)), SpfResult.Identity.MAILFROM, domain, "");
    }

    private static List<DkimResult> dkim(Status status, String domain) {
        return List.of(dkimResult(status, domain));
    }

    private static DkimResult dkimResult(Status status, String domain) {
        return new DkimResult(status, status.token(), domain, "sel", "@" + domain);
    }

    private static DmarcResult evaluate(String from, SpfResult spf, List<DkimResult> dkim, int draw) {
        try {
            return new DmarcEvaluator(resolver, fixed(draw)).evaluate(from, spf, dkim)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Draws {@code value} for every pct= sample. */
    private static RandomGenerator fixed(int value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only bounded draws");
            }

            @Override
            public int nextInt(int bound) {
                return value;
            }
        };
    }
}
