package dev.mailgateway.common.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.EnvelopeHeaders;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.testing.AddressInput;
import dev.mailgateway.common.testing.HostileInput;

/**
 * Whatever path the ingress's parser accepts can be stored, routed and
 * relayed, and travels through the envelope unchanged (the worker's
 * DeliveryReportTest has the bounce's side): seeded random paths from
 * {@link AddressInput}, refused or checked against each property.
 */
class MailAddressPropertyTest {

    private static final int SEEDS = 20_000;
    /** RFC 1035 section 2.3.4 in text form: labels of letters, digits and inner hyphens, 63 octets each, 253 in all. */
    private static final Pattern DNS_NAME = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    /** RFC 5321 section 4.5.3.1.4: a command line, CRLF included, before any extension's allowance. */
    private static final int COMMAND_LINE = 512;

    @Test
    void everyAcceptedAddressCanBeStoredRoutedRelayedAndReadBack() {
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger idn = new AtomicInteger();
        AtomicInteger quoted = new AtomicInteger();
        HostileInput.forEachSeed(SEEDS, random -> {
            String path = AddressInput.path(random);
            MailAddress address;
            try {
                address = MailPath.parse(path).address().orElseThrow();
            } catch (AddressException refused) {
                assertNotNull(refused.kind());
                return;
            }
            accepted.incrementAndGet();
            idn.addAndGet(address.domain().contains("xn--") ? 1 : 0);
            quoted.addAndGet(address.localPart().startsWith("\"") ? 1 : 0);
            String text = address.toString();
            String key = address.mailboxKey();

            // stored: the ledger keeps the key, the queue and the body the address, the queue the domain; in octets
            // (so in characters too) no longer than every such column holds (the worker's AddressColumnsTest)
            for (String stored : List.of(text, key)) {
                assertTrue(octets(stored) <= MailAddress.MAX_PATH - 2, path + " -> " + stored);
            }
            assertTrue(address.domain().length() <= DomainName.MAX_DOMAIN, address.domain());
            // the key names the same account however often it is taken (the admin API stores it, logins look it up)
            assertEquals(key, MailAddress.keyOf(key), path);

            // routed: a DNS name as it is, which the resolver's own IDN.toASCII leaves alone and cannot fail on
            assertTrue(DNS_NAME.matcher(address.domain()).matches(), path + " -> " + address.domain());
            assertEquals(address.domain(), IDN.toASCII(address.domain()));

            // relayed: the MAIL and RCPT lines stay within the base limit
            assertTrue(octets("MAIL FROM:<" + text + ">\r\n") <= COMMAND_LINE, text);

            // read back: the model's form is a fixed point, and the envelope carries it unchanged both ways
            assertEquals(address, MailAddress.parse(text), path);
            Envelope envelope = new Envelope(QueueId.next(), text, Map.of(), List.of(new Envelope.Recipient(text, Map.of("NOTIFY", "NEVER"))),
                    "127.0.0.1", "client.example", Optional.empty(), Instant.EPOCH);
            try {
                assertEquals(envelope, EnvelopeHeaders.fromRecord(envelope.queueId(), new RecordHeaders(EnvelopeHeaders.toHeaders(envelope))));
            } catch (Exception e) {
                throw new AssertionError(path, e);
            }
        });
        // the generator must reach the interesting cases, or the properties say nothing
        assertTrue(accepted.get() > SEEDS / 10, "accepted " + accepted);
        assertTrue(idn.get() > SEEDS / 100, "IDN domains accepted " + idn);
        assertTrue(quoted.get() > SEEDS / 100, "quoted local parts accepted " + quoted);
    }

    private static int octets(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
