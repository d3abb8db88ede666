package dev.mailgateway.ingress.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.testing.Dkimpy;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.ZoneServer;
import dev.mailgateway.ingress.IngressMetrics;
import dev.mailgateway.ingress.protocol.MessageChecks;
import dev.mailgateway.ingress.protocol.MessageChecks.Sender;
import dev.mailgateway.ingress.protocol.MessageChecks.Verdict;
import dev.mailgateway.ingress.protocol.ReceivedMessage;
import dev.mailgateway.ingress.protocol.ReceivedMessages;

/**
 * The checks of incoming mail against records served by the test's own DNS server, with mail that
 * dkimpy (Debian's python3-dkim, an independent implementation) signed: what the Authentication-Results
 * field says, byte for byte, and what the policy refuses. The table of DMARC combinations is
 * mail-common's DmarcEvaluatorTest; here each policy outcome is met once through the whole path.
 */
class InboundChecksTest {

    private static final Vertx VERTX = Vertx.vertx();
    private static final String US = "mx.gateway.test";
    private static final String CLIENT = "127.0.0.1";
    private static ZoneServer zone;
    private static DnsResolver resolver;
    private static DkimKeyPair key;
    private static SimpleMeterRegistry registry;

    @BeforeAll
    static void zone() throws Exception {
        LocalStack.ensureTestTools();
        key = DkimKeyPair.generate(DkimAlgorithm.RSA_SHA256);
        zone = new ZoneServer()
                // signed.example: SPF for this client, DKIM, DMARC reject
                .txt("signed.example", 300, "v=spf1 ip4:127.0.0.1 -all")
                .longTxt("sel._domainkey.signed.example", 300, key.record().toTxt())
                .txt("_dmarc.signed.example", 300, "v=DMARC1; p=reject")
                // forged.example: SPF for another address only, DMARC reject
                .txt("forged.example", 300, "v=spf1 ip4:192.0.2.1 -all")
                .txt("_dmarc.forged.example", 300, "v=DMARC1; p=reject")
                // quarantined.example: the same, quarantine
                .txt("quarantined.example", 300, "v=spf1 ip4:192.0.2.1 -all")
                .txt("_dmarc.quarantined.example", 300, "v=DMARC1; p=quarantine")
                // nodmarc.example: SPF fail, no DMARC
                .txt("nodmarc.example", 300, "v=spf1 -all")
                .silent("slow.example").silent("_dmarc.slow.example")
                // late.example: DMARC reject, its DKIM key's name silent
                .txt("_dmarc.late.example", 300, "v=DMARC1; p=reject").silent("s1._domainkey.late.example");
        resolver = new DnsResolver(VERTX, DnsResolver.Settings.of(List.of(zone.address()), Duration.ofMillis(400)));
        registry = new SimpleMeterRegistry();
    }

    @AfterAll
    static void close() {
        resolver.close();
        zone.close();
        VERTX.close();
    }

    /** A budget well past the resolver's 400 ms per query, so that only a silent name makes a temperror. */
    private static InboundChecks checks(boolean spfEnforce, boolean deferOnTemperror) {
        return checks(Duration.ofSeconds(5), spfEnforce, deferOnTemperror);
    }

    private static InboundChecks checks(Duration budget, boolean spfEnforce, boolean deferOnTemperror) {
        return new InboundChecks(VERTX, resolver, US, new InboundChecks.Settings(budget, true, deferOnTemperror, spfEnforce),
                new IngressMetrics(registry));
    }

    private static Verdict verdict(MessageChecks checks, String mailFrom, byte[] message) throws Exception {
        ReceivedMessage received = ReceivedMessages.of(message);
        return checks.check(new Sender(CLIENT, "client.example", mailFrom), received)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static byte[] message(String from, String... extraFields) {
        StringBuilder text = new StringBuilder();
        for (String field : extraFields) {
            text.append(field).append("\r\n");
        }
        return text.append("From: ").append(from).append("\r\nTo: <alice@example.test>\r\nSubject: checked\r\n")
                .append("Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <c1@signed.example>\r\n\r\nHello Alice,\r\nbye\r\n")
                .toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** dkimpy's signature on top of the message, by d=signed.example s=sel. */
    private static byte[] signedByDkimpy(byte[] message) {
        return Dkimpy.signed(message, "signed.example", "sel", key);
    }

    private static String unfolded(String field) {
        return field.replace("\r\n ", " ");
    }

    @Test
    void mailDkimpySignedPassesEverything_andAChangedBodyOctetFailsDkim() throws Exception {
        byte[] signed = signedByDkimpy(message("Bob <bob@signed.example>"));
        Verdict passed = verdict(checks(false, false), "bob@signed.example", signed);
        assertNull(passed.refusal());
        assertEquals("Authentication-Results: mx.gateway.test; spf=pass (signed.example: ip4:127.0.0.1 matched)"
                + " smtp.mailfrom=signed.example; dkim=pass (Signature verified) header.d=signed.example header.s=sel header.i=@signed.example; dmarc=pass"
                + " (p=reject dis=none) header.from=signed.example\r\n", unfolded(passed.addedFields()));

        String text = new String(signed, StandardCharsets.US_ASCII).replace("Hello Alice", "Hello Alicf");
        Verdict changed = verdict(checks(false, false), "bob@signed.example", text.getBytes(StandardCharsets.US_ASCII));
        assertNull(changed.refusal(), "SPF still passes aligned: DMARC passes");
        assertTrue(unfolded(changed.addedFields()).contains("; dkim=fail (Body hash did not verify) header.d=signed.example"),
                changed.addedFields());
        assertTrue(unfolded(changed.addedFields()).contains("; dmarc=pass"), changed.addedFields());
    }

    /** A body past InboundChecks.INLINE_HASH_OCTETS is hashed on a worker thread, with the same result. */
    @Test
    void aLargeSignedMessageIsHashedOffTheEventLoopAndPasses() throws Exception {
        String line = "A line of a long newsletter, repeated until the body is well past the inline limit.\r\n";
        byte[] large = (new String(message("Bob <bob@signed.example>"), StandardCharsets.US_ASCII)
                + line.repeat(2 * InboundChecks.INLINE_HASH_OCTETS / line.length())).getBytes(StandardCharsets.US_ASCII);
        Verdict verdict = verdict(checks(false, false), "bob@signed.example", signedByDkimpy(large));
        assertTrue(unfolded(verdict.addedFields()).contains("; dkim=pass (Signature verified) header.d=signed.example"),
                verdict.addedFields());
    }

    @Test
    void aDmarcRejectIsRefused_quarantineIsMarked() throws Exception {
        Verdict forged = verdict(checks(false, false), "bob@forged.example", message("<ceo@forged.example>"));
        assertEquals("550 5.7.1 Email rejected by the DMARC policy of forged.example\r\n", forged.refusal().wire());

        Verdict quarantined = verdict(checks(false, false), "bob@quarantined.example", message("<ceo@quarantined.example>"));
        assertNull(quarantined.refusal());
        assertTrue(unfolded(quarantined.addedFields()).contains("spf=fail"), quarantined.addedFields());
        assertTrue(unfolded(quarantined.addedFields()).contains("dmarc=fail (p=quarantine dis=quarantine) header.from=quarantined.example"),
                quarantined.addedFields());
    }

    @Test
    void aSecondAuthorCannotDodgeTheFirstOnesReject() throws Exception {
        Verdict verdict = verdict(checks(false, false), "bob@signed.example",
                signedByDkimpy(message("<bob@signed.example>, <ceo@forged.example>")));
        assertEquals("550 5.7.1 Email rejected by the DMARC policy of forged.example\r\n", verdict.refusal().wire());
    }

    /** "Composition Kills" (USENIX Security 2020): From fields a client shows as the victim's, DMARC would judge otherwise. */
    @Test
    void aFromFieldThatCannotBeReadExactlyIsRefused() throws Exception {
        byte[] twoFields = signedByDkimpy(message("<bob@signed.example>", "From: <ceo@forged.example>"));
        assertEquals("550 5.7.1 Message refused: its From field cannot be checked (RFC 5322 section 3.6)\r\n",
                verdict(checks(false, false), "bob@signed.example", twoFields).refusal().wire());
        for (String from : new String[] {"ceo@forged.example bob@signed.example", "ceo@forged.example <bob@signed.example>",
                "<ceo@forged.example> trailing"}) {
            assertEquals(InboundChecks.FROM_REFUSED, verdict(checks(false, false), "bob@signed.example", signedByDkimpy(message(from))).refusal(),
                    from);
        }
    }

    @Test
    void anSpfFailWithoutDmarcIsMarked_orRefusedOnRequest() throws Exception {
        Verdict marked = verdict(checks(false, false), "bob@nodmarc.example", message("<bob@nodmarc.example>"));
        assertNull(marked.refusal());
        assertTrue(unfolded(marked.addedFields()).contains("spf=fail"), marked.addedFields());
        assertTrue(unfolded(marked.addedFields()).contains("dmarc=none"), marked.addedFields());

        Verdict refused = verdict(checks(true, false), "bob@nodmarc.example", message("<bob@nodmarc.example>"));
        assertEquals("550 5.7.23 SPF validation failed for nodmarc.example\r\n", refused.refusal().wire());
    }

    @Test
    void aSilentResolverIsATemperrorAndNeverA5xx() throws Exception {
        Verdict verdict = verdict(checks(false, false), "bob@slow.example", message("<bob@slow.example>"));
        assertNull(verdict.refusal());
        assertTrue(unfolded(verdict.addedFields()).contains("spf=temperror"), verdict.addedFields());
        assertTrue(unfolded(verdict.addedFields()).contains("dmarc=temperror"), verdict.addedFields());

        Verdict deferred = verdict(checks(false, true), "bob@slow.example", message("<bob@slow.example>"));
        assertEquals("451 4.7.1 DMARC policy of slow.example could not be checked: try again later\r\n", deferred.refusal().wire());
    }

    /**
     * The budget ends the checks whatever DNS does; a signature not checked in time still counts as one of
     * its domain (temperror), so a reject domain's mail is deferred, not refused, and a forgery is not let
     * through either.
     */
    @Test
    void theBudgetEndsTheChecks_andALateSignatureOfARejectDomainIsDeferred() throws Exception {
        byte[] signed = Dkimpy.signed(message("<news@late.example>"), "late.example", "s1", key);
        long start = System.nanoTime();
        Verdict verdict = verdict(checks(Duration.ofMillis(200), false, false), "bounce@other.example", signed);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals("451 4.7.1 DMARC policy of late.example could not be checked: try again later\r\n", verdict.refusal().wire());
        assertTrue(millis < 2_000, "the budget of 200 ms held the reply " + millis + " ms");
    }

    /** A reject domain's temperror is not outranked by a second author's own failure. */
    @Test
    void aSecondAuthorCannotHideARejectDomainsTemperror() throws Exception {
        byte[] signed = Dkimpy.signed(message("<news@late.example>, <me@quarantined.example>"), "late.example", "s1", key);
        Verdict verdict = verdict(checks(Duration.ofMillis(200), false, false), "bounce@other.example", signed);
        assertEquals("451 4.7.1 DMARC policy of late.example could not be checked: try again later\r\n", verdict.refusal().wire());
    }

    /** Past the header section's limit a From could hide where the checks do not look. */
    @Test
    void aHeaderSectionPastTheLimitIsRefused() throws Exception {
        String padding = ("X-Padding: " + "p".repeat(990) + "\r\n").repeat(300);
        byte[] message = message("<ceo@forged.example>", padding.strip());
        assertEquals(InboundChecks.FROM_REFUSED, verdict(checks(false, false), "bob@forged.example", message).refusal());
    }

    @Test
    void moreAuthorDomainsThanAreJudgedAreRefused() throws Exception {
        String authors = "<a@one.example>, <b@two.example>, <c@three.example>, <d@four.example>, <ceo@forged.example>";
        assertEquals(InboundChecks.FROM_REFUSED, verdict(checks(false, false), "bob@signed.example", message(authors)).refusal());
    }

    @Test
    void resultsClaimingOurNameAreLeftOut_othersKept() throws Exception {
        String ours = "Authentication-Results: MX.GATEWAY.TEST; dkim=pass header.d=forged.example";
        String folded = "Authentication-Results: (a comment)\r\n mx.gateway.test 1; spf=pass";
        String theirs = "Authentication-Results: mx.other.test; spf=pass";
        byte[] message = message("<bob@signed.example>", ours, theirs, folded);
        ReceivedMessage received = ReceivedMessages.of(message);
        Verdict verdict = checks(false, false).check(new Sender(CLIENT, "client.example", "bob@signed.example"), received)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(2, verdict.omitted().size(), verdict.omitted().toString());
        String text = new String(message, StandardCharsets.US_ASCII);
        StringBuilder kept = new StringBuilder(text);
        for (int i = verdict.omitted().size() - 1; i >= 0; i--) {
            kept.delete(verdict.omitted().get(i).from(), verdict.omitted().get(i).to());
        }
        assertTrue(kept.toString().startsWith(theirs + "\r\nFrom: <bob@signed.example>\r\n"), kept.toString());
    }

    @Test
    void everyResultIsCounted() throws Exception {
        verdict(checks(false, false), "bob@nodmarc.example", message("<bob@nodmarc.example>"));
        assertTrue(registry.get("smtp.auth.results").tags("method", "spf", "result", "fail").counter().count() >= 1);
        assertTrue(registry.get("smtp.auth.results").tags("method", "dkim", "result", "none").counter().count() >= 1);
        assertTrue(registry.get("smtp.auth.results").tags("method", "dmarc", "result", "none").counter().count() >= 1);
    }
}
