package dev.mailgateway.worker.qmgr;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.common.store.MessageSource;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.queue.ClaimKeeper;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.queue.DeliveryQueue;
import dev.mailgateway.worker.remote.MxResolver;
import dev.mailgateway.worker.remote.NextHop;
import dev.mailgateway.worker.remote.OutboundMessage;
import dev.mailgateway.worker.remote.RelayClient;
import dev.mailgateway.worker.remote.RelayClient.Contact;
import dev.mailgateway.worker.remote.RelayClient.Delivery;
import dev.mailgateway.worker.remote.Route;

/**
 * Runs one relay job to its end: the route (MX lookup; the resolver caches
 * each answer for its TTL), the message from the store, and the relay
 * client's delivery, each transaction behind a gate that checks the job's
 * deadline and confirms its claims.
 *
 * <p>Every job ends: whatever the resolver, the client or the store throws or
 * fails with becomes a temporary outcome for its recipients (counted as
 * {@code delivery.relay.internal.errors}), and past
 * {@code delivery.relay.job-deadline} no further transaction starts.
 */
final class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    static final SmtpReply CLAIM_LOST = SmtpReply.of(451, "4.3.0", "not sent: the queue row was claimed by another attempt");
    static final SmtpReply OVERDUE = SmtpReply.of(451, "4.4.1", "not sent: no host took the message within delivery.relay.job-deadline");

    private final Vertx vertx;
    private final DeliveryQueue queue;
    private final MxResolver resolver;
    private final RelayClient relay;
    private final ClaimKeeper claims;
    private final WorkerMetrics metrics;
    private final Duration jobDeadline;

    JobRunner(Vertx vertx, DeliveryQueue queue, MxResolver resolver, RelayClient relay, ClaimKeeper claims, WorkerMetrics metrics,
            Duration jobDeadline) {
        this.vertx = vertx;
        this.queue = queue;
        this.resolver = resolver;
        this.relay = relay;
        this.claims = claims;
        this.metrics = metrics;
        this.jobDeadline = jobDeadline;
    }

    /**
     * Every recipient's outcome, by the job's hard end at the latest; never
     * fails: our own trouble (the body could not be read, a resolver or client
     * that throws, a bug) is a temporary outcome for all, and the rows are
     * tried again later. The deadline stops new transactions; the hard end,
     * which only a future that never completes can reach, comes after the
     * longest a transaction begun just before the deadline may take.
     */
    Future<Delivery> run(RelayJob job) {
        Promise<Delivery> ended = Promise.promise();
        long deadline = vertx.setTimer(jobDeadline.toMillis(), id -> job.overdue = true);
        long hardEnd = vertx.setTimer(jobDeadline.plus(relay.longestTransaction(job.rows.size())).toMillis(), id -> {
            if (ended.tryComplete(allGet(job, OVERDUE))) {
                metrics.relayInternalError("deadline");
                LOG.errorf("relay of %s to %s still running at its hard end; abandoned", job.queueId(), job.domain);
            }
        });
        guarded(() -> attempt(job)).onComplete(done -> {
            vertx.cancelTimer(deadline);
            vertx.cancelTimer(hardEnd);
            if (done.succeeded()) {
                ended.tryComplete(done.result());
                return;
            }
            metrics.relayInternalError("relay");
            LOG.warnf(done.cause(), "relay of %s to %s failed", job.queueId(), job.domain);
            ended.tryComplete(allGet(job, SmtpReply.of(451, "4.3.0", "local error in processing: " + done.cause())));
        });
        return ended.future();
    }

    private Future<Delivery> attempt(RelayJob job) {
        return resolver.resolve(job.domain).compose(route -> route instanceof Route.Hosts hosts ? send(job, hosts.hops())
                : Future.succeededFuture(allGet(job, ((Route.Unroutable) route).reply())));
    }

    private Future<Delivery> send(RelayJob job, List<NextHop> hops) {
        ClaimedRecipient first = job.message();
        MessageSource body = first.content() != null ? MessageSource.of(first.content()) : queue.body(first.bodyId());
        Future<Boolean> eightBit = first.eightBit() != null ? Future.succeededFuture(first.eightBit())
                : OutboundMessage.hasEightBitOctets(body, first.sizeBytes());
        return eightBit.compose(found -> relay.deliver(job.domain, hops, new OutboundMessage(first.queueId(), first.sender(),
                job.rows.stream().map(r -> new OutboundMessage.Recipient(r.recipient(), r.dsnNotify(), r.orcpt())).toList(),
                body, first.sizeBytes(), found, first.smtpUtf8(), first.ret(), first.envid()), () -> mayStart(job)));
    }

    /** The job's gate before each transaction: not past its deadline, and every row still claimed by it (renewed now). */
    private Future<Void> mayStart(RelayJob job) {
        if (job.overdue) {
            return Future.failedFuture(new RelayClient.Stop(OVERDUE));
        }
        return claims.confirm(job.rows).transform(confirmed -> {
            if (confirmed.failed()) {
                return Future.failedFuture(new RelayClient.Stop(CLAIM_LOST.withText("not sent: the claim on the queue row could not be confirmed ("
                        + confirmed.cause() + ")")));
            }
            if (!confirmed.result()) {
                return Future.failedFuture(new RelayClient.Stop(CLAIM_LOST));
            }
            return job.overdue ? Future.failedFuture(new RelayClient.Stop(OVERDUE)) : Future.succeededFuture();
        });
    }

    /** The same reply for every recipient of {@code job}, from no server: nothing learnt about the destination. */
    static Delivery allGet(RelayJob job, SmtpReply reply) {
        Map<String, RelayClient.Outcome> outcomes = new LinkedHashMap<>();
        job.rows.forEach(row -> outcomes.put(row.recipient(), new RelayClient.Outcome(reply, null, false)));
        return new Delivery(outcomes, Contact.NONE);
    }

    /**
     * {@code work}'s future, or a failed one when it throws instead of failing
     * it (as a DNS client does on a name it cannot encode): the job's bookkeeping never
     * depends on the code it runs keeping to the rules.
     */
    static <T> Future<T> guarded(Supplier<Future<T>> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
