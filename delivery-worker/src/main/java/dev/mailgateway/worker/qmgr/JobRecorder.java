package dev.mailgateway.worker.qmgr;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jboss.logging.Logger;

import io.vertx.core.Future;

import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.events.DeliveryEvent;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.queue.Verdict;
import dev.mailgateway.worker.queue.VerdictWriter;
import dev.mailgateway.worker.remote.RelayClient;

/**
 * Records what a relay job decided: its verdicts written (retried until
 * they are), then counted, announced on mail.events, and, for the rows due a
 * delay warning, the warning sent. Rows that failed or need a relay report
 * wake the queue manager, whose poll hands them to the {@link Bouncer}.
 */
final class JobRecorder {

    private static final Logger LOG = Logger.getLogger(JobRecorder.class);

    private final VerdictWriter verdictWriter;
    private final RetryPolicy retryPolicy;
    private final Bouncer bouncer;
    private final DeliveryEvents events;
    private final WorkerMetrics metrics;
    private final Runnable bounceDue;

    JobRecorder(VerdictWriter verdictWriter, RetryPolicy retryPolicy, Bouncer bouncer, DeliveryEvents events, WorkerMetrics metrics,
            Runnable bounceDue) {
        this.verdictWriter = verdictWriter;
        this.retryPolicy = retryPolicy;
        this.bouncer = bouncer;
        this.events = events;
        this.metrics = metrics;
        this.bounceDue = bounceDue;
    }

    Future<Void> record(RelayJob job, Map<String, RelayClient.Outcome> outcomes) {
        Instant now = Instant.now();
        List<Verdict> verdicts = job.rows.stream().map(row -> retryPolicy.judge(row, outcomes.get(row.recipient()), now)).toList();
        // a step of the future, not a handler on it: what the announcement throws reaches the job's bookkeeping
        return verdictWriter.write(verdicts).compose(v -> {
            for (Verdict verdict : verdicts) {
                // a relayed recipient is a delivered one for the metrics and mail.events (CONTRACT); only its report differs
                String result = (verdict.kind() == Verdict.Kind.RELAYED ? Verdict.Kind.DELIVERED : verdict.kind()).name().toLowerCase(Locale.ROOT);
                metrics.outcome("remote", result, 1);
                events.publish(DeliveryEvent.of(verdict.row().queueId(), verdict.row().recipient(), "remote", result,
                        verdict.status(), verdict.remoteMta(), verdict.row().attempts()));
                LOG.debugf("%s to <%s>: %s (%s)", verdict.row().queueId(), verdict.row().recipient(), result, verdict.reply().summary());
            }
            if (verdicts.stream().anyMatch(verdict -> verdict.kind() == Verdict.Kind.FAILED || verdict.kind() == Verdict.Kind.RELAYED)) {
                bounceDue.run();
            }
            List<Verdict> delayed = verdicts.stream().filter(Verdict::warnDelay).toList();
            if (!delayed.isEmpty()) {
                // advisory: the flag is committed first, so a warning is sent at most once, and a lost one is only logged
                bouncer.warnDelayed(delayed, retryPolicy.retriedUntil(delayed.get(0).row()))
                        .onFailure(e -> LOG.warnf("delay warning for %s not sent: %s", delayed.get(0).row().queueId(), e.toString()));
            }
            return Future.<Void>succeededFuture();
        });
    }
}
