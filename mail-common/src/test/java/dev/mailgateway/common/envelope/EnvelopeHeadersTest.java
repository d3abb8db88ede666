package dev.mailgateway.common.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EnvelopeHeadersTest {

    @Test
    void roundTripsEveryField() throws Exception {
        Envelope envelope = new Envelope(QueueId.next(), "sender@example.org", Map.of("RET", "HDRS", "SMTPUTF8", ""),
                List.of(Envelope.Recipient.of("a@example.test"),
                        new Envelope.Recipient("b@example.test", Map.of("NOTIFY", "FAILURE,DELAY", "ORCPT", "rfc822;b+40example.test"))),
                "127.0.0.1", "client.example.org", Optional.of("alice@example.test"), Instant.parse("2026-11-28T07:00:00Z"));
        Envelope read = EnvelopeHeaders.fromRecord(envelope.queueId(), new RecordHeaders(EnvelopeHeaders.toHeaders(envelope)));
        assertEquals(envelope, read);
        assertTrue(read.smtpUtf8());
    }

    @Test
    void nullReversePathSurvives() throws Exception {
        Envelope envelope = new Envelope(QueueId.next(), "", Map.of(), List.of(Envelope.Recipient.of("a@example.test")),
                "::1", "h", Optional.empty(), Instant.now());
        assertEquals("", EnvelopeHeaders.fromRecord(envelope.queueId(), new RecordHeaders(EnvelopeHeaders.toHeaders(envelope))).reversePath());
    }

    @Test
    void refusesRecordsItCannotRead() {
        RecordHeaders noRecipients = new RecordHeaders();
        noRecipients.add("mail-from", new byte[0]);
        MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class,
                () -> EnvelopeHeaders.fromRecord(QueueId.next(), noRecipients));
        assertTrue(e.getMessage().contains("rcpt-to"), e.getMessage());
        assertThrows(MalformedEnvelopeException.class, () -> EnvelopeHeaders.fromRecord("not-an-id", noRecipients));
    }

    @Test
    void queueIdsAreValidAndTimeOrdered() {
        String earlier = QueueId.of(1_000, new byte[10]);
        String later = QueueId.of(2_000, new byte[10]);
        assertTrue(QueueId.isValid(earlier));
        assertTrue(earlier.compareTo(later) < 0);
    }
}
