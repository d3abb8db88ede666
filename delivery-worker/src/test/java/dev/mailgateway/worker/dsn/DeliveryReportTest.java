package dev.mailgateway.worker.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.address.MailPath;
import dev.mailgateway.common.testing.AddressInput;
import dev.mailgateway.common.testing.HostileInput;

/** The report's fields that echo what a client sent (ENVID, ORCPT): decoded, and never more than one line each. */
class DeliveryReportTest {

    private static final Instant ARRIVAL = Instant.parse("2026-11-28T07:00:00Z");

    private static String render(String envid, String orcpt) {
        return render("alice@remote.example", "bob@example.test", envid, orcpt);
    }

    private static String render(String recipient, String sender, String envid, String orcpt) {
        DeliveryReport.Failure failure = new DeliveryReport.Failure(recipient, orcpt, "failed", "5.1.1",
                "550 5.1.1 no such user", "mx.remote.example");
        byte[] report = DeliveryReport.render(new DeliveryReport.Facts("mx.example.test", "REPORTID", "QUEUEID", sender, envid,
                ARRIVAL, ARRIVAL.plusSeconds(60), List.of(failure), "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII), false, null));
        return new String(report, StandardCharsets.UTF_8);
    }

    /**
     * Issue 15, the bounce's side of MailAddressPropertyTest: for every address the model accepts, as the
     * failed recipient and as the sender the report goes to, the report has one Final-Recipient field, on one
     * line within RFC 5322's 998 octets, naming it exactly when it is ASCII (non-ASCII text is shown as '?').
     */
    @Test
    void everyAcceptedAddressGetsItsFinalRecipientField() {
        HostileInput.forEachSeed(5_000, random -> {
            MailAddress address;
            try {
                address = MailPath.parse(AddressInput.path(random)).address().orElseThrow();
            } catch (AddressException refused) {
                return;
            }
            String text = address.toString();
            List<String> lines = lines(render(text, text, null, null));
            List<String> finalRecipients = lines.stream().filter(line -> line.startsWith("Final-Recipient: ")).toList();
            assertEquals(1, finalRecipients.size(), lines.toString());
            if (StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
                assertEquals("Final-Recipient: rfc822; " + text, finalRecipients.get(0));
            }
            assertTrue(lines.contains("To: <" + text + ">"), lines.toString());
            assertTrue(lines.stream().allMatch(line -> line.getBytes(StandardCharsets.UTF_8).length <= 998), text);
        });
    }

    private static List<String> lines(String report) {
        return Arrays.asList(report.split("\r\n"));
    }

    @Test
    void envidAndOrcptAreShownDecoded() {
        List<String> lines = lines(render("QQ+2B1", "rfc822;alice+40remote.example"));
        assertTrue(lines.contains("Original-Envelope-Id: QQ+1"), lines.toString());
        assertTrue(lines.contains("Original-Recipient: rfc822; alice@remote.example"), lines.toString());
    }

    @Test
    void encodedControlCharactersNeverStartAFieldOfTheirOwn() {
        String report = render("a+0D+0AX-Injected:+20yes", "rf\rc822;b+0D+0AX-Injected:+20yes+85");
        List<String> lines = lines(report);
        assertTrue(lines.contains("Original-Envelope-Id: a??X-Injected: yes"), lines.toString());
        assertTrue(lines.contains("Original-Recipient: rf?c822; b??X-Injected: yes?"), lines.toString());
        assertTrue(lines.stream().noneMatch(line -> line.startsWith("X-Injected")), report);
        assertEquals(-1, report.replace("\r\n", "").indexOf('\r'), "no bare CR");
        assertEquals(-1, report.replace("\r\n", "").indexOf('\n'), "no bare LF");
    }
}
