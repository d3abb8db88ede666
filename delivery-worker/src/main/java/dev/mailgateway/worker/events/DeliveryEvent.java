package dev.mailgateway.worker.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One delivery outcome as published on mail.events (CONTRACT.md, Kafka
 * topics): small, flat JSON that operators and other systems can audit and
 * build on without parsing logs.
 *
 * @param route      local, remote or dsn
 * @param result     delivered, deferred, failed or dsn-sent
 * @param status     the RFC 3463 status of the outcome, when there is one
 * @param remoteHost the next hop that answered, for relays
 * @param attempt    the relay attempt (1 for the first); 0 for local deliveries
 * @param dsnQueueId for dsn-sent: the bounce's own queue id
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryEvent(String queueId, String recipient, String route, String result, String status,
        String remoteHost, int attempt, Instant time, String dsnQueueId) {

    public static DeliveryEvent of(String queueId, String recipient, String route, String result, String status,
            String remoteHost, int attempt) {
        return new DeliveryEvent(queueId, recipient, route, result, status, remoteHost, attempt, Instant.now(), null);
    }

    public DeliveryEvent withDsn(String dsnId) {
        return new DeliveryEvent(queueId, recipient, route, result, status, remoteHost, attempt, time, dsnId);
    }
}
