package dev.mailgateway.ingress.protocol;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import dev.mailgateway.common.envelope.Envelope;

/**
 * The trace line of RFC 5321 section 4.4 that the ingress puts on top of every message it accepts:
 * the client's HELO name and address, this host, the protocol, the queue id, the recipient when
 * there is one, and the time. Pure.
 */
final class ReceivedHeader {

    /** RFC 5322 section 3.3's date-time, in English whatever the machine's locale. */
    private static final DateTimeFormatter RFC5322_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    private ReceivedHeader() {
    }

    /**
     * The field, CRLF included. One recipient is named ("for"), as Postfix does: with more, naming them
     * would tell each one who else got the message.
     *
     * @param esmtp  the client said EHLO
     * @param secure the session runs over TLS
     */
    static String of(Envelope envelope, String hostname, boolean esmtp, boolean secure, ZoneId zone) {
        StringBuilder line = new StringBuilder("Received: from ").append(envelope.heloName())
                .append(" ([").append(envelope.clientAddress()).append("])\r\n")
                .append("\tby ").append(hostname).append(" with ").append(protocol(envelope, esmtp, secure))
                .append(" id ").append(envelope.queueId());
        if (envelope.recipients().size() == 1) {
            line.append("\r\n\tfor <").append(envelope.recipients().get(0).address()).append('>');
        }
        return line.append("; ").append(RFC5322_DATE.format(ZonedDateTime.ofInstant(envelope.receivedAt(), zone))).append("\r\n").toString();
    }

    /** The "with" keyword of RFC 3848 (and RFC 6531's UTF8 prefix): ESMTP, plus S for TLS and A for AUTH. */
    static String protocol(Envelope envelope, boolean esmtp, boolean secure) {
        if (!esmtp) {
            return "SMTP";
        }
        return (envelope.mailParams().containsKey("SMTPUTF8") ? "UTF8" : "") + "ESMTP" + (secure ? "S" : "") + (envelope.authUser().isPresent() ? "A" : "");
    }
}
