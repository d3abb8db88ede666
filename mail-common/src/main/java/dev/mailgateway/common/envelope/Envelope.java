package dev.mailgateway.common.envelope;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SMTP envelope of one accepted message, carried in the Kafka record's
 * headers beside the raw message bytes (ARCHITECTURE decision 1).
 *
 * @param reversePath MAIL FROM's address, "" for the null reverse-path {@code <>}
 * @param recipients  in RCPT order, each named once
 * @param authUser    the authenticated client's account, when there was AUTH
 */
public record Envelope(
        String queueId,
        String reversePath,
        List<Recipient> recipients,
        String clientAddress,
        String heloName,
        Optional<String> authUser,
        Instant receivedAt) {

    public Envelope {
        recipients = List.copyOf(recipients);
    }

    /** One RCPT TO: the forward-path and its ESMTP parameters (e.g. RFC 3461 NOTIFY, ORCPT). */
    public record Recipient(String address, Map<String, String> params) {
        public Recipient {
            params = Map.copyOf(params);
        }

        public static Recipient of(String address) {
            return new Recipient(address, Map.of());
        }
    }
}
