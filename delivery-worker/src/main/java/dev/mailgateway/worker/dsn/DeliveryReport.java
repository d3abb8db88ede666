package dev.mailgateway.worker.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import dev.mailgateway.common.codec.Xtext;

/**
 * A delivery status notification as RFC 3464 defines it, in a {@code multipart/report}
 * (RFC 6522): a text part for people, a {@code message/delivery-status} part
 * for programs (one block per recipient) and the original message,
 * whole ({@code message/rfc822}) when the sender asked with RET=FULL, else
 * its header section ({@code text/rfc822-headers}). Failures, delays, and
 * successes (NOTIFY=SUCCESS, RFC 3461 section 6.2). Pure: facts in, bytes out.
 */
public final class DeliveryReport {

    /** RFC 5322 section 3.3 date-time, as Date: and Arrival-Date: want it. */
    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ROOT);

    /**
     * One recipient the report is about: RFC 3464 section 2.3 fields. {@code orcpt} is the ORCPT
     * value as received (xtext), or null; {@code action} is "failed", "delayed", "delivered" or "relayed".
     */
    public record Failure(String recipient, String orcpt, String action, String status, String diagnostic, String remoteMta) {
    }

    /**
     * @param reportingMta this gateway's host name
     * @param reportId     the report's own queue id (also its Message-ID and boundary)
     * @param envid        the RFC 3461 ENVID as received (xtext), or null
     * @param original     the original message, or as much of its start as holds its header section
     * @param returnFull   RET=FULL: {@code original} is the whole message and goes back whole
     * @param retryUntil   for a delay report: when the gateway gives up (Will-Retry-Until), else null
     */
    public record Facts(String reportingMta, String reportId, String originalQueueId, String sender, String envid,
            Instant arrival, Instant now, List<Failure> failures, byte[] original, boolean returnFull, Instant retryUntil) {

        boolean delayOnly() {
            return failures.stream().allMatch(f -> f.action().equals("delayed"));
        }

        /** RFC 3464 section 2.3.3: "delivered" and "relayed" are successes (nothing more will be heard of a relayed one). */
        boolean successOnly() {
            return failures.stream().allMatch(f -> f.action().equals("delivered") || f.action().equals("relayed"));
        }
    }

    private DeliveryReport() {
    }

    public static byte[] render(Facts facts) {
        String boundary = facts.reportId() + "/" + facts.reportingMta();
        StringBuilder head = new StringBuilder()
                .append("Date: ").append(date(facts.now())).append("\r\n")
                .append("From: Mail Delivery System <MAILER-DAEMON@").append(facts.reportingMta()).append(">\r\n")
                .append("To: <").append(facts.sender()).append(">\r\n")
                .append(facts.delayOnly() ? "Subject: Delayed Mail (still being retried)\r\n"
                        : facts.successOnly() ? "Subject: Successful Mail Delivery Report\r\n" : "Subject: Undelivered Mail Returned to Sender\r\n")
                .append("Message-ID: <").append(facts.reportId()).append('@').append(facts.reportingMta()).append(">\r\n")
                // RFC 3834: an automatic answer, which nobody should answer automatically again
                .append("Auto-Submitted: auto-replied\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=delivery-status;\r\n")
                .append("\tboundary=\"").append(boundary).append("\"\r\n")
                .append("\r\n")
                .append("This is a MIME-encapsulated message.\r\n")
                .append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Description: Notification\r\n")
                .append("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append(humanText(facts))
                .append("\r\n--").append(boundary).append("\r\n")
                .append("Content-Description: Delivery report\r\n")
                .append("Content-Type: message/delivery-status\r\n\r\n")
                .append(statusFields(facts))
                .append("\r\n--").append(boundary).append("\r\n");
        byte[] original = facts.returnFull() ? facts.original() : headerSection(facts.original());
        String returned = facts.successOnly() ? "Delivered Message" : "Undelivered Message";
        head.append(facts.returnFull() ? "Content-Description: " + returned + "\r\nContent-Type: message/rfc822\r\n\r\n"
                : "Content-Description: " + returned + " Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + original.length + 128);
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(original);
        if (original.length > 0 && original[original.length - 1] != '\n') {
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String humanText(Facts facts) {
        StringBuilder text = new StringBuilder()
                .append("This is the mail system at host ").append(facts.reportingMta()).append(".\r\n\r\n")
                .append("Your message (queue id ").append(facts.originalQueueId())
                .append(facts.delayOnly() ? ") could not be delivered yet to one or more recipients.\r\n"
                        + "It will be tried again until " + date(facts.retryUntil()) + "; you need not send it again.\r\n"
                        + "The mail system's reasons:\r\n\r\n"
                        : facts.successOnly() ? ") was delivered to the recipients below, as you asked.\r\n"
                        + "Delivered to a mailbox, you will hear no more of it; relayed to a system that does not\r\n"
                        + "report deliveries, you may still hear of a failure from further on:\r\n\r\n"
                        : ") could not be delivered to one or more recipients.\r\n"
                        + "It is attached below. The mail system's reasons:\r\n\r\n");
        for (Failure failure : facts.failures()) {
            text.append("<").append(ascii(failure.recipient())).append(">: ")
                    .append(failure.remoteMta() == null ? "" : "host " + ascii(failure.remoteMta()) + " said: ")
                    .append(ascii(failure.diagnostic())).append("\r\n");
        }
        return text.toString();
    }

    /** RFC 3464 section 2.2 (per message) and 2.3 (per recipient), each block ended by an empty line. */
    private static String statusFields(Facts facts) {
        StringBuilder fields = new StringBuilder()
                .append("Reporting-MTA: dns; ").append(facts.reportingMta()).append("\r\n")
                .append("X-Queue-ID: ").append(facts.originalQueueId()).append("\r\n");
        if (facts.envid() != null) {
            fields.append("Original-Envelope-Id: ").append(xtextDecoded(facts.envid())).append("\r\n");
        }
        fields.append("Arrival-Date: ").append(date(facts.arrival())).append("\r\n");
        for (Failure failure : facts.failures()) {
            fields.append("\r\n")
                    .append("Final-Recipient: rfc822; ").append(ascii(failure.recipient())).append("\r\n");
            if (failure.orcpt() != null) {
                fields.append("Original-Recipient: ").append(originalRecipient(failure.orcpt())).append("\r\n");
            }
            fields.append("Action: ").append(failure.action()).append("\r\n")
                    .append("Status: ").append(ascii(failure.status())).append("\r\n");
            if (failure.remoteMta() != null) {
                fields.append("Remote-MTA: dns; ").append(ascii(failure.remoteMta())).append("\r\n");
            }
            fields.append("Diagnostic-Code: smtp; ").append(ascii(failure.diagnostic())).append("\r\n")
                    .append("Last-Attempt-Date: ").append(date(facts.now())).append("\r\n");
            if (facts.retryUntil() != null) {
                fields.append("Will-Retry-Until: ").append(date(facts.retryUntil())).append("\r\n");
            }
        }
        return fields.toString();
    }

    /** ORCPT is {@code addr-type ";" xtext} (RFC 3461 section 4.2); the report shows it decoded, both parts 7-bit text. */
    private static String originalRecipient(String orcpt) {
        int semicolon = orcpt.indexOf(';');
        return semicolon < 0 ? "rfc822; " + xtextDecoded(orcpt)
                : ascii(orcpt.substring(0, semicolon).trim()) + "; " + xtextDecoded(orcpt.substring(semicolon + 1));
    }

    /** An xtext value as report text: decoded, then 7-bit, one line. */
    private static String xtextDecoded(String xtext) {
        return ascii(Xtext.decode(xtext));
    }

    /** The header section: everything up to the first empty line (RFC 5322 section 2.1), or all there is. */
    static byte[] headerSection(byte[] message) {
        for (int i = 0; i + 3 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                return java.util.Arrays.copyOf(message, i + 2);
            }
        }
        return message;
    }

    /** Report text stays 7-bit, one line per field: control characters (CR and LF too) and 8-bit text become '?'. */
    private static String ascii(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }

    private static String date(Instant instant) {
        return RFC_5322.format(instant.atZone(ZoneOffset.UTC));
    }
}
