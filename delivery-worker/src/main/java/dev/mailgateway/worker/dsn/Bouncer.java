package dev.mailgateway.worker.dsn;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Future;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.events.DeliveryEvent;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.queue.DeliveryQueue;
import dev.mailgateway.worker.queue.Verdict;

/**
 * Turns failed queue rows into bounces: one report per message listing every
 * recipient that failed since the last one (ARCHITECTURE decision 7), queued
 * from {@code <>} on mail.inbound. The rows a report lists are fixed (marked,
 * committed) before it is queued and removed only once Kafka has it, and its
 * queue id is derived from the message's and those recipients: a report
 * queued again after a crash is the same record, which the worker's ledger
 * stores once, and no recipient is ever listed in two reports. Successes the
 * sender asked to hear of (NOTIFY=SUCCESS: delivered to a mailbox, relayed to a
 * hop without DSN) are reported the same way, one report per message and
 * action. Also sends the optional delay warnings. No report to {@code <>}
 * (RFC 5321 section 4.5.5), no bounce for recipients whose NOTIFY excludes
 * FAILURE (RFC 3461 section 4.1).
 */
@ApplicationScoped
public class Bouncer {

    private static final Logger LOG = Logger.getLogger(Bouncer.class);
    /** Messages whose reports are fixed, then queued, in one pass; the next poll takes the rest. */
    static final int BATCH = 100;
    /** How much of a message is read to return its header section (RET=HDRS, the default). */
    static final int HEADER_SECTION_LIMIT = 256 * 1024;

    private final DeliveryQueue queue;
    private final BounceQueue bounces;
    private final DeliveryEvents events;
    private final WorkerMetrics metrics;
    private final String hostname;

    public Bouncer(DeliveryQueue queue, BounceQueue bounces, DeliveryEvents events, WorkerMetrics metrics, MailConfig mail) {
        this.queue = queue;
        this.bounces = bounces;
        this.events = events;
        this.metrics = metrics;
        this.hostname = mail.hostname();
    }

    /**
     * Bounces what failed, except messages in {@code inFlight} (relays of them
     * still running): fixes the sets to report of up to {@link #BATCH} messages,
     * then reports up to {@link #BATCH} fixed sets, one message after the other
     * (sets left by a crash too); the number of rows handled.
     */
    public Future<Integer> bounceFailed(Set<String> inFlight) {
        return queue.markReports(BATCH, inFlight).compose(marked -> queue.reportsDue(BATCH)).compose(bodies -> {
            Future<Integer> handled = Future.succeededFuture(0);
            for (long body : bodies) {
                handled = handled.compose(sum -> queue.report(body, this::report).map(rows -> sum + rows));
            }
            return handled;
        });
    }

    /** The reports of one message's fixed set of rows: one per action (failed, delivered, relayed). */
    private Future<Void> report(List<DeliveryQueue.Failed> rows) {
        Map<String, List<DeliveryQueue.Failed>> byAction = new LinkedHashMap<>();
        rows.forEach(row -> byAction.computeIfAbsent(row.action(), action -> new ArrayList<>()).add(row));
        Future<Void> done = Future.succeededFuture();
        for (Map.Entry<String, List<DeliveryQueue.Failed>> action : byAction.entrySet()) {
            done = done.compose(v -> report(action.getKey(), action.getValue()));
        }
        return done;
    }

    private Future<Void> report(String action, List<DeliveryQueue.Failed> rows) {
        DeliveryQueue.Failed first = rows.get(0);
        boolean failed = action.equals("failed");
        List<DeliveryQueue.Failed> reported = rows.stream()
                .filter(row -> failed ? wantsFailureReport(row.dsnNotify()) : wantsSuccessReport(row.dsnNotify())).toList();
        if (first.sender().isEmpty() || reported.isEmpty()) {
            LOG.infof("%s: %d recipients %s, no report (%s)", first.queueId(), rows.size(), action,
                    first.sender().isEmpty() ? "null sender" : "NOTIFY does not ask for one");
            return Future.succeededFuture();
        }
        Original original = new Original(first.queueId(), first.bodyId(), first.sender(), first.ret(), first.envid(), first.receivedAt());
        // a bounce keeps the label of earlier versions, so the id of one queued before an upgrade does not change
        return send(original, failed ? "bounce" : action, reported.stream().map(Bouncer::about).toList(), null).onSuccess(reportId -> {
            metrics.bounced();
            reported.forEach(row -> events.publish(DeliveryEvent.of(row.queueId(), row.recipient(), "dsn", "dsn-sent", row.status(), row.remoteMta(), 0)
                    .withDsn(reportId)));
        }).mapEmpty();
    }

    /**
     * Tells the senders of deferred recipients that their mail still waits
     * (RFC 3464 Action: delayed), one report per message; the caller already
     * marked the rows, so each recipient is reported once.
     */
    public Future<Void> warnDelayed(List<Verdict> deferred, Instant retryUntil) {
        Map<String, List<Verdict>> byMessage = new LinkedHashMap<>();
        deferred.forEach(v -> byMessage.computeIfAbsent(v.row().queueId(), id -> new ArrayList<>()).add(v));
        Future<Void> done = Future.succeededFuture();
        for (List<Verdict> message : byMessage.values()) {
            ClaimedRecipient first = message.get(0).row();
            Original original = new Original(first.queueId(), first.bodyId(), first.sender(), first.ret(), first.envid(), first.receivedAt());
            List<DeliveryReport.Failure> about = message.stream().map(v -> new DeliveryReport.Failure(v.row().recipient(), v.row().orcpt(),
                    "delayed", v.status(), v.reply().summary(), v.remoteMta())).toList();
            done = done.compose(v -> send(original, "delay", about, retryUntil).onSuccess(reportId -> message.forEach(verdict ->
                    events.publish(DeliveryEvent.of(verdict.row().queueId(), verdict.row().recipient(), "dsn", "dsn-sent", verdict.status(),
                            verdict.remoteMta(), verdict.row().attempts()).withDsn(reportId)))).mapEmpty());
        }
        return done;
    }

    /** The message a report is about. */
    private record Original(String queueId, long bodyId, String sender, String ret, String envid, Instant receivedAt) {
    }

    /** Renders a report and queues it from {@code <>}; the report's queue id, derived from the message's, {@code kind} and recipients. */
    private Future<String> send(Original original, String kind, List<DeliveryReport.Failure> about, Instant retryUntil) {
        String reportId = QueueId.derived(original.queueId(), kind + " " + String.join(" ", about.stream().map(DeliveryReport.Failure::recipient).toList()));
        // RFC 3461 section 4.3: RET=FULL asks for the whole message in "failed" reports only
        boolean full = "FULL".equalsIgnoreCase(original.ret()) && about.stream().allMatch(entry -> entry.action().equals("failed"));
        return queue.head(original.bodyId(), full ? Integer.MAX_VALUE : HEADER_SECTION_LIMIT).compose(head -> {
            Instant now = Instant.now();
            byte[] message = DeliveryReport.render(new DeliveryReport.Facts(hostname, reportId, original.queueId(), original.sender(),
                    original.envid(), original.receivedAt(), now, about, head.getBytes(), full, retryUntil));
            Envelope envelope = new Envelope(reportId, "", bounceParams(message, original.sender()), List.of(Envelope.Recipient.of(original.sender())),
                    "127.0.0.1", hostname, Optional.empty(), now);
            return Future.fromCompletionStage(bounces.enqueue(envelope, message).subscribeAsCompletionStage());
        }).map(v -> {
            LOG.infof("%s: %s report %s to <%s> for %d recipients", original.queueId(), kind, reportId, original.sender(), about.size());
            return reportId;
        });
    }

    /** A row failed before its status was kept (an older schema) reports the generic permanent failure. */
    private static DeliveryReport.Failure about(DeliveryQueue.Failed row) {
        String status = row.status() != null ? row.status() : "5.0.0";
        String diagnostic = row.lastError() != null ? row.lastError() : "550 5.0.0 delivery failed";
        return new DeliveryReport.Failure(row.recipient(), row.orcpt(), row.action(), status, diagnostic, row.remoteMta());
    }

    /** RFC 3461 section 4.1: NOTIFY=DELAY asks for delay reports; without NOTIFY it is the MTA's choice, and ours is yes when configured. */
    public static boolean wantsDelayReport(String notify) {
        return notify == null || notify.toUpperCase(Locale.ROOT).contains("DELAY");
    }

    /** RFC 3461 section 4.1: no NOTIFY means the MTA's default, which reports failures. */
    static boolean wantsFailureReport(String notify) {
        return notify == null || notify.toUpperCase(Locale.ROOT).contains("FAILURE");
    }

    /** RFC 3461 sections 4.1 and 6.2: successes are reported only to a sender that asked with NOTIFY=SUCCESS. */
    public static boolean wantsSuccessReport(String notify) {
        return notify != null && notify.toUpperCase(Locale.ROOT).contains("SUCCESS");
    }

    /** The bounce's MAIL parameters: 8BITMIME when it returns 8-bit text, SMTPUTF8 for a UTF-8 sender. */
    private static Map<String, String> bounceParams(byte[] message, String sender) {
        Map<String, String> params = new LinkedHashMap<>();
        for (byte b : message) {
            if (b < 0) {
                params.put("BODY", "8BITMIME");
                break;
            }
        }
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(sender)) {
            params.put("SMTPUTF8", "");
        }
        return params;
    }
}
