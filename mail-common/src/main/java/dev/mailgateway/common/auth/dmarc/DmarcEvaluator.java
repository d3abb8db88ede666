package dev.mailgateway.common.auth.dmarc;

import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

import org.jboss.logging.Logger;

import io.vertx.core.Future;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.DomainName;
import dev.mailgateway.common.auth.spf.SpfResult;
import dev.mailgateway.common.auth.dkim.DkimResult;
import dev.mailgateway.common.auth.dmarc.DmarcResult.Result;
import dev.mailgateway.common.auth.dmarc.PolicyDiscovery.Discovered;
import dev.mailgateway.common.dns.DnsResolver;

/**
 * DMARC (RFC 7489) for one message: finds the {@code From:} domain's policy
 * ({@link PolicyDiscovery}), checks whether SPF or DKIM passed for a domain
 * aligned with it (section 3.1), and says what to do with the message,
 * pct= sampling included (sections 6.6.2 to 6.6.4). It consumes the SPF and
 * DKIM results; it produces no reports.
 *
 * <p>Security-sensitive: the {@code From:} domain, the authenticated
 * domains and the DNS records are all chosen by strangers. Records are
 * parsed within {@link dev.mailgateway.common.auth.TagList}'s bounds, at
 * most two names are asked about, and the future never fails: DNS trouble
 * is {@code temperror}, a record that does not parse {@code permerror}, and
 * a bug of ours a logged {@code permerror} that enforces nothing.
 */
public final class DmarcEvaluator {

    private static final Logger LOG = Logger.getLogger(DmarcEvaluator.class);

    private final PolicyDiscovery discovery;
    private final RandomGenerator random;

    /**
     * @param random draws the pct= sample; used from any thread, so one that is safe there
     *               ({@link java.util.Random} is)
     */
    public DmarcEvaluator(DnsResolver resolver, RandomGenerator random) {
        this.discovery = new PolicyDiscovery(resolver);
        this.random = random;
    }

    /**
     * @param fromDomain the domain of the message's single {@code From:} author, as written (U-labels
     *                   allowed); a message without one is the caller's {@link DmarcResult#permerror}
     * @param spf        the SPF check of the MAIL FROM identity, see {@link SpfResult.Identity}
     * @param dkim       the results of the message's DKIM signatures, empty when it has none
     * @return the result; the future never fails
     */
    public Future<DmarcResult> evaluate(String fromDomain, SpfResult spf, List<DkimResult> dkim) {
        Optional<String> from = ascii(fromDomain);
        if (from.isEmpty()) {
            return Future.succeededFuture(DmarcResult.permerror("From domain is not a valid domain name"));
        }
        try {
            String organizational = OrganizationalDomain.of(from.get());
            return discovery.discover(from.get(), organizational)
                    .map(discovered -> decide(discovered, from.get(), spf, dkim))
                    .otherwise(e -> unexpected(e, from.get()));
        } catch (RuntimeException e) {
            return Future.succeededFuture(unexpected(e, from.get()));
        }
    }

    private static DmarcResult unexpected(Throwable e, String from) {
        LOG.warn("DMARC evaluation failed unexpectedly", e);
        return DmarcResult.unapplied(Result.PERMERROR, from, "DMARC could not be evaluated (" + e.getClass().getSimpleName() + ")");
    }

    private DmarcResult decide(Discovered discovered, String from, SpfResult spf, List<DkimResult> dkim) {
        DmarcRecord record = discovered.record();
        if (record == null) {
            return DmarcResult.unapplied(discovered.result(), from, discovered.reason());
        }
        // discovery only leaves the From domain for its organizational domain, of which it is then a subdomain
        DmarcPolicy applied = discovered.domain().equals(from) ? record.policy() : record.subdomainPolicy();
        boolean spfAligned = aligned(spf.domain(), from, record.spfAlignment());
        List<DkimResult> alignedDkim = dkim.stream()
                .filter(result -> aligned(result.domain(), from, record.dkimAlignment())).toList();
        boolean dkimPassed = alignedDkim.stream().anyMatch(result -> result.status() == DkimResult.Status.PASS);
        if ((spfAligned && spf.passed()) || dkimPassed) {
            String by = spfAligned && spf.passed() && dkimPassed ? "SPF and DKIM" : dkimPassed ? "DKIM" : "SPF";
            return applied(Result.PASS, "Aligned " + by + " pass", from, record, applied, DmarcPolicy.NONE);
        }
        // section 6.6.2: the result rests on the aligned identifiers; one whose check may pass on a retry leaves it open
        if ((spfAligned && spf.status() == SpfResult.Status.TEMPERROR)
                || alignedDkim.stream().anyMatch(result -> result.status() == DkimResult.Status.TEMPERROR)) {
            return applied(Result.TEMPERROR, "An aligned identifier's check had a temporary error", from, record, applied,
                    DmarcPolicy.NONE);
        }
        if (sampled(record.percent())) {
            return applied(Result.FAIL, "No aligned SPF or DKIM pass", from, record, applied, applied);
        }
        return applied(Result.FAIL, "No aligned SPF or DKIM pass; not in the pct=" + record.percent() + " sample", from,
                record, applied, applied.oneLevelDown());
    }

    private static DmarcResult applied(Result result, String reason, String from, DmarcRecord record, DmarcPolicy applied,
            DmarcPolicy disposition) {
        return new DmarcResult(result, reason, from, record.policy(), applied, disposition);
    }

    /** Section 6.6.4: the policy applies to pct percent of failing messages, drawn at random. */
    private boolean sampled(int percent) {
        return percent >= DmarcRecord.MAX_PERCENT || random.nextInt(DmarcRecord.MAX_PERCENT) < percent;
    }

    /** A domain that is not one (or absent) aligns with nothing. */
    private static boolean aligned(String authenticated, String from, Alignment mode) {
        return ascii(authenticated).map(domain -> mode.aligns(domain, from)).orElse(false);
    }

    /** Section 3.1: compared case-insensitively, IDNs in their A-labels. */
    private static Optional<String> ascii(String domain) {
        if (domain == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(DomainName.toAscii(domain));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }
}
