package dev.mailgateway.ingress.queue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.smallrye.common.annotation.Identifier;

import dev.mailgateway.ingress.IngressConfig;
import dev.mailgateway.ingress.policy.InflightBudget;

/** The Kafka producer settings of the {@code mail-inbound} channel, derived from {@code smtp.*}. */
@ApplicationScoped
class ProducerSettings {

    /** Longest wait for broker metadata before a send fails (the producer's max.block.ms). */
    static final Duration MAX_METADATA_WAIT = Duration.ofSeconds(5);

    /** Room in a record beside the message: envelope headers (up to 100 recipients with DSN parameters) and the Received line. */
    static final long RECORD_OVERHEAD = 1024 * 1024;

    /**
     * Producer settings that make the 451 bound true: a send either completes
     * within {@code smtp.queue-timeout} (T) or fails, so no 250 comes after the
     * bound (ARCHITECTURE decision 2). On a replicated cluster a record the leader
     * appended but could not replicate in time may still be committed later; then
     * it is delivered beside the copy the client sends again after its 451, as SMTP
     * allows after a 4xx (deploy/chaos/kafka-two-down). One try takes at most max.block.ms (B) plus
     * delivery.timeout.ms (D); SmallRye's connector starts re-sends of a failed
     * record until D after the first try, so the worst case is 2D + B, and D is
     * chosen so that it stays within T. Named by the channel's kafka-configuration.
     */
    @Produces
    @Identifier("mail-inbound-producer")
    Map<String, Object> mailInbound(IngressConfig config) {
        long queueTimeout = config.queueTimeout().toMillis();
        long maxBlock = Math.min(MAX_METADATA_WAIT.toMillis(), queueTimeout / 4);
        long delivery = (queueTimeout - maxBlock) / 2;
        Map<String, Object> settings = new HashMap<>();
        settings.put("acks", "all");
        settings.put("enable.idempotence", "true");
        settings.put("max.block.ms", String.valueOf(maxBlock));
        settings.put("delivery.timeout.ms", String.valueOf(delivery));
        // no waiting for company: a session sends its next message only after this
        // one's ack, so a lingering record is a client waiting. Records still share
        // requests: those that come while a request is in flight go in the next one.
        settings.put("linger.ms", "0");
        // the Kafka client requires delivery.timeout.ms >= linger.ms + request.timeout.ms
        settings.put("request.timeout.ms", String.valueOf(delivery / 2));
        // a record carries a whole message of up to SIZE plus its headers and Received line
        long largestRecord = config.maxMessageSize() + RECORD_OVERHEAD;
        settings.put("max.request.size", String.valueOf(Math.min(Integer.MAX_VALUE, largestRecord)));
        // the producer's copies of the records in flight: every one is a message whose bytes hold room in
        // smtp.max-inflight-bytes until its acknowledgement, so they fit; a full buffer would block the send
        settings.put("buffer.memory", String.valueOf(InflightBudget.capacity(config) + largestRecord));
        return settings;
    }
}
