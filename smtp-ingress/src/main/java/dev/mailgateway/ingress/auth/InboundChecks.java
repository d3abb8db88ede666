package dev.mailgateway.ingress.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import jakarta.inject.Singleton;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.auth.AuthenticationResults;
import dev.mailgateway.common.auth.AuthorDomains;
import dev.mailgateway.common.auth.dkim.DkimFormatException;
import dev.mailgateway.common.auth.dkim.DkimResult;
import dev.mailgateway.common.auth.dkim.DkimSignature;
import dev.mailgateway.common.auth.dkim.DkimVerifier;
import dev.mailgateway.common.auth.dkim.HeaderField;
import dev.mailgateway.common.auth.dkim.HeaderSection;
import dev.mailgateway.common.auth.dkim.MessageSplitter;
import dev.mailgateway.common.auth.dmarc.DmarcEvaluator;
import dev.mailgateway.common.auth.dmarc.DmarcPolicy;
import dev.mailgateway.common.auth.dmarc.DmarcResult;
import dev.mailgateway.common.auth.spf.SpfEvaluator;
import dev.mailgateway.common.auth.spf.SpfResult;
import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.dns.DnsResolver;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.ingress.IngressConfig;
import dev.mailgateway.ingress.IngressMetrics;
import dev.mailgateway.ingress.protocol.MessageChecks;
import dev.mailgateway.ingress.protocol.ReceivedMessage;

/**
 * SPF, DKIM and DMARC for mail from strangers (issue 19), as Stalwart does them built in and Postfix
 * through policyd-spf, OpenDKIM and OpenDMARC: SPF of the MAIL FROM domain (HELO for {@code <>}) and
 * DKIM of every signature side by side, then DMARC of the {@code From:} domain with their results.
 * Everything is bounded by {@code smtp.auth-checks.time-budget}: what is missing then is temperror,
 * so a slow resolver never holds a reply longer. Bodies over {@link #INLINE_HASH_OCTETS} are hashed off
 * the event loop.
 *
 * <p>The result goes into an {@code Authentication-Results} field under the {@code Received:} line;
 * arriving fields that claim our authserv-id are left out (RFC 8601 section 5), whoever wrote them.
 * The policy: a DMARC reject is refused (550 5.7.1, {@code smtp.dmarc.enforce}); quarantine and the
 * rest are accepted and marked; DNS trouble is never a 5xx.
 */
@Singleton
public class InboundChecks implements MessageChecks {

    private static final Logger LOG = Logger.getLogger(InboundChecks.class);
    /**
     * Author domains DMARC is applied to, each with its own lookups: RFC 7489 section 6.6.1 leaves
     * several to the receiver, and applying the policy of each means a second author cannot dodge the
     * first one's reject. More than this is no real message.
     */
    static final int MAX_AUTHOR_DOMAINS = 4;
    /** RFC 7372 section 3.2: SPF validation failed. */
    static final SmtpReply SPF_FAIL = SmtpReply.of(550, "5.7.23", "SPF validation failed");
    /** RFC 5322 section 3.6: one From field, a mailbox-list. */
    static final SmtpReply FROM_REFUSED = SmtpReply.of(550, "5.7.1", "Message refused: its From field cannot be checked (RFC 5322 section 3.6)");
    private static final String FROM_UNREADABLE = "From field unreadable, or more than one";
    private static final String DMARC_REJECT = "rejected by the DMARC policy of ";
    private static final String TIME_SPENT = "Time budget spent";
    /**
     * Bodies up to this size are hashed on the event loop: tens of microseconds (at most five hashes, one
     * per signature), less than handing the work to a worker thread and back on two cores.
     */
    static final int INLINE_HASH_OCTETS = 16 * 1024;
    /** RFC 7489 section 6.1: where a domain's DMARC record is. */
    private static final String DMARC_PREFIX = "_dmarc.";
    private static final String DMARC_TEMPERROR = "DMARC policy of %s could not be checked: try again later";

    private final Vertx vertx;
    private final DnsResolver resolver;
    private final String authservId;
    private final Settings settings;
    private final SpfEvaluator spf;
    private final DkimVerifier dkim;
    private final DmarcEvaluator dmarc;
    private final IngressMetrics metrics;

    /** What the checks enforce; all else is marked only. */
    public record Settings(Duration timeBudget, boolean dmarcEnforce, boolean deferOnDmarcTemperror, boolean spfEnforce) {
    }

    @Inject
    public InboundChecks(Vertx vertx, DnsResolver resolver, IngressConfig config, MailConfig mail, IngressMetrics metrics) {
        this(vertx, resolver, mail.hostname(), new Settings(config.authChecks().timeBudget(), config.dmarc().enforce(),
                config.dmarc().deferOnTemperror(), config.spf().enforce()), metrics);
    }

    public InboundChecks(Vertx vertx, DnsResolver resolver, String authservId, Settings settings, IngressMetrics metrics) {
        if (!AuthenticationResults.authservId(authservId).map(authservId::equals).orElse(false)) {
            // found at start-up, not as an exception on every message
            throw new IllegalArgumentException("mail.hostname " + authservId + " cannot be an authserv-id (RFC 8601 section 2.2)");
        }
        this.vertx = vertx;
        this.resolver = resolver;
        this.authservId = authservId;
        this.settings = settings;
        this.spf = new SpfEvaluator(resolver);
        this.dkim = new DkimVerifier(name -> keyRecord(resolver, name), Clock.systemUTC());
        // java.util.Random is safe across threads; pct= sampling needs no secure randomness
        this.dmarc = new DmarcEvaluator(resolver, new Random());
        this.metrics = metrics;
    }

    /** The DKIM key record: the first TXT record (RFC 6376 section 3.6.2.2), null for none, a failed future for DNS trouble. */
    private static Future<String> keyRecord(DnsResolver resolver, String name) {
        return resolver.txt(name).compose(answer -> answer.isTemporary() ? Future.failedFuture(answer.detail())
                : Future.succeededFuture(answer.isFound() ? answer.records().get(0) : null));
    }

    @Override
    public Future<Verdict> check(Sender sender, ReceivedMessage message) {
        try {
            return checked(sender, message.content()).otherwise(InboundChecks::unexpected);
        } catch (RuntimeException e) {
            return Future.succeededFuture(unexpected(e));
        }
    }

    /** A bug of ours met on hostile input: logged, and the message goes on unmarked rather than held or lost. */
    private static Verdict unexpected(Throwable e) {
        LOG.warn("message checks failed unexpectedly: accepted unmarked", e);
        return Verdict.UNCHECKED;
    }

    private Future<Verdict> checked(Sender sender, Buffer content) {
        long deadline = System.nanoTime() + settings.timeBudget().toNanos();
        MessageSplitter splitter = new MessageSplitter();
        Buffer body;
        try {
            body = splitter.feed(content);
        } catch (DkimFormatException overLimit) {
            // the section kept is the first MAX_HEADER_SECTION octets: enough for From and the fields to omit
            body = null;
        }
        HeaderSection headers = splitter.headers();
        Future<SpfResult> spfDone = within(spfCheck(sender), deadline, () -> late(sender));
        Future<List<DkimResult>> dkimDone = within(dkim(headers, body), deadline, () -> lateDkim(headers));
        // past the section's limit a From may hide where the checks cannot see it: no author can be read
        AuthorDomains.Authors authors = body == null ? AuthorDomains.Authors.MALFORMED : AuthorDomains.of(headers);
        if (!tooManyAuthors(authors)) {
            // asked now, beside SPF and DKIM, so that DMARC finds its record in the cache when they are done, even
            // at the deadline: a late signature of a reject domain is then deferred, not taken for no signature
            authors.domains().forEach(domain -> resolver.txt(DMARC_PREFIX + domain));
        }
        return Future.join(spfDone, dkimDone).transform(both -> {
            SpfResult spfResult = spfDone.result();
            List<DkimResult> dkimResults = dkimDone.result();
            return dmarc(authors, spfResult, dkimResults, deadline)
                    .map(dmarcResults -> verdict(headers, authors, spfResult, dkimResults, dmarcResults));
        });
    }

    /**
     * The results of signatures not verified in time: a temperror each, with its d= and s=, so that DMARC
     * sees an aligned signature whose check may pass on a retry, not a message without one (which a
     * p=reject would refuse).
     */
    private static List<DkimResult> lateDkim(HeaderSection headers) {
        List<DkimResult> late = new ArrayList<>();
        for (HeaderField field : headers.named("dkim-signature")) {
            if (late.size() == DkimVerifier.MAX_SIGNATURES) {
                break;
            }
            try {
                DkimSignature signature = DkimSignature.parse(field);
                late.add(new DkimResult(DkimResult.Status.TEMPERROR, TIME_SPENT, signature.domain(), signature.selector(),
                        signature.identity()));
            } catch (RuntimeException unreadable) {
                late.add(new DkimResult(DkimResult.Status.PERMERROR, "Signature does not parse", null, null, null));
            }
        }
        return late.isEmpty() ? List.of(new DkimResult(DkimResult.Status.TEMPERROR, TIME_SPENT, null, null, null)) : late;
    }

    /**
     * The DKIM results. A body of a few kilobytes, most mail, is hashed at once: handing it to a worker
     * thread and back would cost more than the hash. A larger one is hashed off the event loop, whose
     * other sessions must not wait for megabytes; the key lookups start first, in there.
     */
    private Future<List<DkimResult>> dkim(HeaderSection headers, Buffer body) {
        if (body == null) {
            // a header section over the splitter's limit: a signature among what was kept can never verify
            return Future.succeededFuture(headers.named("dkim-signature").isEmpty() ? List.of()
                    : List.of(new DkimResult(DkimResult.Status.PERMERROR, "Header section over " + MessageSplitter.MAX_HEADER_SECTION
                            + " octets", null, null, null)));
        }
        if (body.length() <= INLINE_HASH_OCTETS) {
            return dkim.verify(headers, body);
        }
        return vertx.<Future<List<DkimResult>>>executeBlocking(() -> dkim.verify(headers, body), false).compose(results -> results);
    }

    private Future<SpfResult> spfCheck(Sender sender) {
        byte[] address = NetUtil.createByteArrayFromIpAddressString(sender.clientAddress());
        try {
            return spf.check(InetAddress.getByAddress(address), sender.reversePath(), sender.heloName());
        } catch (UnknownHostException | NullPointerException e) {
            // the session's own socket address, always a literal: never here
            return Future.succeededFuture(new SpfResult(SpfResult.Status.PERMERROR, identity(sender), checked(sender),
                    "client address unreadable"));
        }
    }

    private static SpfResult late(Sender sender) {
        return new SpfResult(SpfResult.Status.TEMPERROR, identity(sender), checked(sender), TIME_SPENT);
    }

    private static SpfResult.Identity identity(Sender sender) {
        return sender.reversePath().isEmpty() ? SpfResult.Identity.HELO : SpfResult.Identity.MAILFROM;
    }

    private static String checked(Sender sender) {
        return sender.reversePath().isEmpty() ? sender.heloName() : sender.reversePath();
    }

    /** DMARC of each author domain: the policy is decided over all of them (a second author cannot hide the first one's). */
    private Future<List<DmarcResult>> dmarc(AuthorDomains.Authors authors, SpfResult spfResult, List<DkimResult> dkimResults,
            long deadline) {
        switch (authors.status()) {
            case ABSENT:
                return Future.succeededFuture(List.of(DmarcResult.permerror("No From field")));
            case MALFORMED:
                return Future.succeededFuture(List.of(DmarcResult.permerror(FROM_UNREADABLE)));
            default:
                break;
        }
        if (tooManyAuthors(authors)) {
            return Future.succeededFuture(List.of(DmarcResult.permerror("From names over " + MAX_AUTHOR_DOMAINS + " author domains")));
        }
        List<Future<DmarcResult>> each = new ArrayList<>();
        for (String domain : authors.domains()) {
            each.add(within(dmarc.evaluate(domain, spfResult, dkimResults), deadline,
                    () -> DmarcResult.temperror(domain, TIME_SPENT)));
        }
        return Future.join(each).map(all -> each.stream().map(Future::result).toList());
    }

    /** The author result the header reports: the strictest disposition's, then the one that says most is wrong. */
    private static DmarcResult reported(List<DmarcResult> results) {
        return results.stream().max(Comparator.comparing(DmarcResult::disposition).thenComparing(InboundChecks::severity)).orElseThrow();
    }

    /** Which of two authors' results to report when their dispositions tie: the one that says most is wrong. */
    private static int severity(DmarcResult result) {
        return switch (result.result()) {
            case PASS -> 0;
            case NONE -> 1;
            case PERMERROR -> 2;
            case TEMPERROR -> 3;
            case FAIL -> 4;
        };
    }

    private static boolean tooManyAuthors(AuthorDomains.Authors authors) {
        return authors.domains().size() > MAX_AUTHOR_DOMAINS;
    }

    private Verdict verdict(HeaderSection headers, AuthorDomains.Authors authors, SpfResult spfResult, List<DkimResult> dkimResults,
            List<DmarcResult> dmarcResults) {
        DmarcResult dmarcResult = reported(dmarcResults);
        metrics.authResult("spf", spfResult.status().token());
        dkimResults.forEach(result -> metrics.authResult("dkim", result.status().token()));
        if (dkimResults.isEmpty()) {
            metrics.authResult("dkim", "none");
        }
        metrics.authResult("dmarc", dmarcResult.result().token());
        SmtpReply refusal = refusal(authors, spfResult, dmarcResults);
        if (refusal != null) {
            return Verdict.refused(refusal);
        }
        return new Verdict(null, AuthenticationResults.field(authservId, spfResult, dkimResults, dmarcResult), forged(headers));
    }

    /**
     * The policy of issue 19, over every author's result: DMARC reject refused, an SPF fail without DMARC
     * only on request, DNS trouble never a 5xx. A From field that cannot be read exactly (two of them,
     * addresses run together, one hidden in a display name, one past the header section's limit) is how a
     * forged author dodges DMARC while mail clients show it: refused with DMARC enforced, as RFC 7489
     * section 6.6.1 allows and the large mailbox providers do.
     */
    private SmtpReply refusal(AuthorDomains.Authors authors, SpfResult spfResult, List<DmarcResult> dmarcResults) {
        if ((authors.status() == AuthorDomains.Authors.Status.MALFORMED || tooManyAuthors(authors)) && settings.dmarcEnforce()) {
            return FROM_REFUSED;
        }
        for (DmarcResult result : dmarcResults) {
            if (result.result() == DmarcResult.Result.FAIL && result.disposition() == DmarcPolicy.REJECT && settings.dmarcEnforce()) {
                return SmtpReply.of(550, "5.7.1", "Email " + DMARC_REJECT + result.fromDomain());
            }
        }
        for (DmarcResult result : dmarcResults) {
            // a forged From of a reject domain must not pass because a check ran out of time (or a stranger made
            // the resolver busy): deferred, never accepted, and never a 5xx for DNS trouble
            boolean rejectDomain = result.applied() == DmarcPolicy.REJECT && settings.dmarcEnforce();
            if (result.result() == DmarcResult.Result.TEMPERROR && (rejectDomain || settings.deferOnDmarcTemperror())) {
                return SmtpReply.of(451, "4.7.1", String.format(DMARC_TEMPERROR, result.fromDomain()));
            }
        }
        boolean noPolicy = dmarcResults.stream().allMatch(result -> result.result() == DmarcResult.Result.NONE);
        if (spfResult.status() == SpfResult.Status.FAIL && noPolicy && settings.spfEnforce()) {
            return SPF_FAIL.withText(SPF_FAIL.lines().get(0) + " for " + spfResult.domain());
        }
        return null;
    }

    /** The arriving Authentication-Results fields that claim our authserv-id (RFC 8601 section 5): left out. */
    private List<ReceivedMessage.Range> forged(HeaderSection headers) {
        List<ReceivedMessage.Range> forged = new ArrayList<>();
        int offset = 0;
        for (HeaderField field : headers.fields()) {
            int end = offset + field.octets().length;
            if ("authentication-results".equals(field.name()) && AuthenticationResults.claims(field.value(), authservId)) {
                forged.add(new ReceivedMessage.Range(offset, end));
            }
            offset = end;
        }
        return forged;
    }

    /** {@code work}'s result, or {@code late}'s when the deadline comes first or the work failed (it should not). */
    private <T> Future<T> within(Future<T> work, long deadline, Supplier<T> late) {
        long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
        if (work.isComplete()) {
            return Future.succeededFuture(work.succeeded() ? work.result() : late.get());
        }
        if (left <= 0) {
            return Future.succeededFuture(late.get());
        }
        Promise<T> result = Promise.promise();
        long timer = vertx.setTimer(left, id -> result.tryComplete(late.get()));
        work.onComplete(done -> {
            vertx.cancelTimer(timer);
            result.tryComplete(done.succeeded() ? done.result() : late.get());
        });
        return result.future();
    }
}
