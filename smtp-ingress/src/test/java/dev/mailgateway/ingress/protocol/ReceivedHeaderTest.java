package dev.mailgateway.ingress.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.envelope.Envelope;

class ReceivedHeaderTest {

    private static final Instant AT = Instant.parse("2026-12-05T16:30:05Z");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Envelope envelope(List<String> recipients, Map<String, String> params, Optional<String> authUser) {
        return new Envelope("4cB2x9Q1", "alice@example.org", params, recipients.stream().map(Envelope.Recipient::of).toList(),
                "192.0.2.7", "client.example.org", authUser, AT);
    }

    @Test
    void oneRecipientIsNamed() {
        assertEquals("Received: from client.example.org ([192.0.2.7])\r\n"
                + "\tby mx.example.test with ESMTPS id 4cB2x9Q1\r\n"
                + "\tfor <bob@example.test>; Sat, 5 Dec 2026 17:30:05 +0100\r\n",
                ReceivedHeader.of(envelope(List.of("bob@example.test"), Map.of(), Optional.empty()), "mx.example.test", true, true, BERLIN));
    }

    @Test
    void severalRecipientsAreNot() {
        assertEquals("Received: from client.example.org ([192.0.2.7])\r\n"
                + "\tby mx.example.test with SMTP id 4cB2x9Q1; Sat, 5 Dec 2026 16:30:05 +0000\r\n",
                ReceivedHeader.of(envelope(List.of("bob@example.test", "carol@example.test"), Map.of(), Optional.empty()),
                        "mx.example.test", false, false, ZoneId.of("UTC")));
    }

    @Test
    void theProtocolSaysEhloTlsAuthAndSmtputf8() {
        Envelope plain = envelope(List.of("bob@example.test"), Map.of(), Optional.empty());
        Envelope submitted = envelope(List.of("bob@example.test"), Map.of("SMTPUTF8", ""), Optional.of("alice@example.org"));
        assertEquals("SMTP", ReceivedHeader.protocol(plain, false, true), "HELO: plain SMTP whatever else");
        assertEquals("ESMTP", ReceivedHeader.protocol(plain, true, false));
        assertEquals("ESMTPS", ReceivedHeader.protocol(plain, true, true));
        assertEquals("UTF8ESMTPA", ReceivedHeader.protocol(submitted, true, false));
        assertEquals("UTF8ESMTPSA", ReceivedHeader.protocol(submitted, true, true));
    }
}
