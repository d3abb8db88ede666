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
 * @param mailParams  MAIL FROM's ESMTP parameters kept for delivery: RET and ENVID
 *                    (RFC 3461), SMTPUTF8 (RFC 6531, no value), BODY (RFC 6152)
 * @param recipients  in RCPT order, each named once
 * @param authUser    the authenticated client's account, when there was AUTH
 */
public record Envelope(
        String queueId,
        String reversePath,
        Map<String, String> mailParams,
        List<Recipient> recipients,
        String clientAddress,
        String heloName,
        Optional<String> authUser,
        Instant receivedAt) {

    public Envelope {
        mailParams = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mailParams));
        recipients = List.copyOf(recipients);
    }

    /** RFC 6531: the message needs SMTPUTF8 from every next hop. */
    public boolean smtpUtf8() {
        return mailParams.containsKey("SMTPUTF8");
    }

    /** One RCPT TO: the forward-path and its ESMTP parameters (e.g. RFC 3461 NOTIFY, ORCPT). */
    public record Recipient(String address, Map<String, String> params) {
        public Recipient {
            params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        }

        public static Recipient of(String address) {
            return new Recipient(address, Map.of());
        }
    }
}
