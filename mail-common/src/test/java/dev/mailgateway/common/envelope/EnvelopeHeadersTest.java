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
    void aQuotedLocalPartWithSpacesTravelsIntact() throws Exception {
        Envelope envelope = new Envelope(QueueId.next(), "\"jane  doe\"@example.org", Map.of(),
                List.of(new Envelope.Recipient("\"john doe\"@remote.test", Map.of("NOTIFY", "FAILURE", "ORCPT", "rfc822;\"john+20doe\"@remote.test")),
                        Envelope.Recipient.of("\"a \\\" b\"@example.test"), Envelope.Recipient.of("alice@example.test")),
                "127.0.0.1", "h", Optional.empty(), Instant.parse("2026-11-28T07:00:00Z"));
        RecordHeaders headers = new RecordHeaders(EnvelopeHeaders.toHeaders(envelope));
        assertEquals("\"john doe\"@remote.test", new String(headers.headers(EnvelopeHeaders.RECIPIENT).iterator().next().value(),
                java.nio.charset.StandardCharsets.UTF_8), "the address alone in its header");
        assertEquals(envelope, EnvelopeHeaders.fromRecord(envelope.queueId(), headers));
    }

    @Test
    void recordsOfTheFormerFormatAreStillRead() throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add("mail-from", "bob@B\u00fccher.example".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("rcpt-to", "\"john doe\"@remote.test NOTIFY=FAILURE,DELAY ORCPT=rfc822;x+40y".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("rcpt-to", "\"a\\\" b\"@example.test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("rcpt-to", "alice@example.test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("client-address", "127.0.0.1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("helo", "h".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        headers.add("received-at", "2026-11-28T07:00:00Z".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String key = QueueId.next();
        Envelope read = EnvelopeHeaders.fromRecord(key, headers);
        // read through the model: the domain comes out in A-labels
        assertEquals("bob@xn--bcher-kva.example", read.reversePath());
        assertEquals(List.of(new Envelope.Recipient("\"john doe\"@remote.test", Map.of("NOTIFY", "FAILURE,DELAY", "ORCPT", "rfc822;x+40y")),
                Envelope.Recipient.of("\"a\\\" b\"@example.test"), Envelope.Recipient.of("alice@example.test")), read.recipients());
    }

    @Test
    void anAddressTheModelRefusesIsKeptForItsBounceUnlessItCouldBreakAHeader() throws Exception {
        // as an ingress before the model accepted it: the worker bounces it (553 5.1.2) rather than dead-lettering the message
        String grown = "x@" + "\u00e9".repeat(60) + ".com";
        Envelope envelope = new Envelope(QueueId.next(), "", Map.of(), List.of(Envelope.Recipient.of(grown), Envelope.Recipient.of("a@example.test")),
                "::1", "h", Optional.empty(), Instant.EPOCH);
        assertEquals(envelope, EnvelopeHeaders.fromRecord(envelope.queueId(), new RecordHeaders(EnvelopeHeaders.toHeaders(envelope))));
        for (String bad : new String[] {"x@exa\rmple.test", "x@", "@example.test", "x"}) {
            Envelope unreadable = new Envelope(QueueId.next(), "", Map.of(), List.of(Envelope.Recipient.of(bad)), "::1", "h", Optional.empty(), Instant.EPOCH);
            MalformedEnvelopeException e = assertThrows(MalformedEnvelopeException.class,
                    () -> EnvelopeHeaders.fromRecord(unreadable.queueId(), new RecordHeaders(EnvelopeHeaders.toHeaders(unreadable))), bad);
            assertTrue(e.getMessage().startsWith("bad recipient address"), e.getMessage());
        }
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
        assertTrue(e.getMessage().contains("recipient"), e.getMessage());
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
