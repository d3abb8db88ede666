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
import dev.mailgateway.worker.queue.DeliveryQueue;

/**
 * Turns failed queue rows into bounces: one report per message listing every
 * recipient that failed since the last one (ARCHITECTURE decision 7), queued
 * from {@code <>} on mail.inbound, before the rows are removed in the same
 * transaction. Its queue id is derived from the message's and the failed
 * recipients, so a bounce retried after a crash is the same record and the
 * worker's ledger stores it once. No bounce for a message from {@code <>}
 * (RFC 5321 section 4.5.5) or for recipients whose NOTIFY excludes FAILURE
 * (RFC 3461 section 4.1).
 */
@ApplicationScoped
public class Bouncer {

    private static final Logger LOG = Logger.getLogger(Bouncer.class);
    /** Failed rows handled in one transaction. */
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
     * Bounces what failed, batch after batch, except messages in
     * {@code inFlight} (relays of them still running); the number of failed rows handled.
     */
    public Future<Integer> bounceFailed(Set<String> inFlight) {
        return queue.bounceFailed(BATCH, inFlight, this::bounce)
                .compose(handled -> handled < BATCH ? Future.succeededFuture(handled) : bounceFailed(inFlight).map(more -> handled + more));
    }

    private Future<Void> bounce(List<DeliveryQueue.Failed> rows) {
        Map<String, List<DeliveryQueue.Failed>> byMessage = new LinkedHashMap<>();
        rows.forEach(row -> byMessage.computeIfAbsent(row.queueId(), id -> new ArrayList<>()).add(row));
        Future<Void> done = Future.succeededFuture();
        for (List<DeliveryQueue.Failed> message : byMessage.values()) {
            done = done.compose(v -> report(message));
        }
        return done;
    }

    private Future<Void> report(List<DeliveryQueue.Failed> rows) {
        DeliveryQueue.Failed first = rows.get(0);
        List<DeliveryQueue.Failed> reported = rows.stream().filter(row -> wantsFailureReport(row.dsnNotify())).toList();
        if (first.sender().isEmpty() || reported.isEmpty()) {
            LOG.infof("%s: %d recipients failed, no bounce (%s)", first.queueId(), rows.size(),
                    first.sender().isEmpty() ? "null sender" : "NOTIFY without FAILURE");
            return Future.succeededFuture();
        }
        String reportId = QueueId.derived(first.queueId(), "bounce " + String.join(" ", reported.stream().map(DeliveryQueue.Failed::recipient).toList()));
        boolean full = "FULL".equalsIgnoreCase(first.ret());
        return queue.head(first.bodyId(), full ? Integer.MAX_VALUE : HEADER_SECTION_LIMIT).compose(original -> {
            Instant now = Instant.now();
            byte[] message = DeliveryReport.render(new DeliveryReport.Facts(hostname, reportId, first.queueId(), first.sender(),
                    first.envid(), first.receivedAt(), now,
                    reported.stream().map(Bouncer::failure).toList(),
                    original.getBytes(), full));
            Envelope envelope = new Envelope(reportId, "", bounceParams(message, first.sender()), List.of(Envelope.Recipient.of(first.sender())),
                    "127.0.0.1", hostname, Optional.empty(), now);
            return Future.fromCompletionStage(bounces.enqueue(envelope, message).subscribeAsCompletionStage());
        }).onSuccess(v -> {
            metrics.bounced();
            LOG.infof("%s: bounce %s to <%s> for %d recipients", first.queueId(), reportId, first.sender(), reported.size());
            reported.forEach(row -> events.publish(DeliveryEvent.of(row.queueId(), row.recipient(), "dsn", "dsn-sent", row.status(), row.remoteMta(), 0)
                    .withDsn(reportId)));
        });
    }

    /** A row failed before its status was kept (an older schema) reports the generic permanent failure. */
    private static DeliveryReport.Failure failure(DeliveryQueue.Failed row) {
        String status = row.status() != null ? row.status() : "5.0.0";
        String diagnostic = row.lastError() != null ? row.lastError() : "550 5.0.0 delivery failed";
        return new DeliveryReport.Failure(row.recipient(), row.orcpt(), status, diagnostic, row.remoteMta());
    }

    /** RFC 3461 section 4.1: no NOTIFY means the MTA's default, which reports failures. */
    static boolean wantsFailureReport(String notify) {
        return notify == null || notify.toUpperCase(Locale.ROOT).contains("FAILURE");
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
