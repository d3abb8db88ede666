package dev.mailgateway.common.envelope;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.MailAddress;

/**
 * Envelope &lt;-&gt; Kafka record headers. The record key is the queue id; the
 * value is the message bytes, untouched. One {@code rcpt-to} header per
 * recipient: the address, then its ESMTP parameters as {@code NAME=value},
 * separated by spaces, as they appeared on the RCPT line.
 */
public final class EnvelopeHeaders {

    public static final String MAIL_FROM = "mail-from";
    public static final String MAIL_PARAMS = "mail-params";
    public static final String RCPT_TO = "rcpt-to";
    public static final String CLIENT_ADDRESS = "client-address";
    public static final String HELO = "helo";
    public static final String AUTH_USER = "auth-user";
    public static final String RECEIVED_AT = "received-at";

    private EnvelopeHeaders() {
    }

    public static List<Header> toHeaders(Envelope envelope) {
        List<Header> headers = new ArrayList<>();
        headers.add(header(MAIL_FROM, envelope.reversePath()));
        if (!envelope.mailParams().isEmpty()) {
            headers.add(header(MAIL_PARAMS, params(envelope.mailParams()).substring(1)));
        }
        for (Envelope.Recipient recipient : envelope.recipients()) {
            headers.add(header(RCPT_TO, recipient.address() + params(recipient.params())));
        }
        headers.add(header(CLIENT_ADDRESS, envelope.clientAddress()));
        headers.add(header(HELO, envelope.heloName()));
        envelope.authUser().ifPresent(user -> headers.add(header(AUTH_USER, user)));
        headers.add(header(RECEIVED_AT, envelope.receivedAt().toString()));
        return headers;
    }

    public static Envelope fromRecord(String key, Headers headers) throws MalformedEnvelopeException {
        if (!QueueId.isValid(key)) {
            throw new MalformedEnvelopeException("record key is not a queue id: " + key);
        }
        String reversePath = required(headers, MAIL_FROM);
        if (!reversePath.isEmpty()) {
            checkMailbox(reversePath, MAIL_FROM);
        }
        List<Envelope.Recipient> recipients = new ArrayList<>();
        for (Header header : headers.headers(RCPT_TO)) {
            recipients.add(parseRecipient(text(header)));
        }
        if (recipients.isEmpty()) {
            throw new MalformedEnvelopeException("no " + RCPT_TO + " header");
        }
        Instant receivedAt;
        try {
            receivedAt = Instant.parse(required(headers, RECEIVED_AT));
        } catch (DateTimeParseException e) {
            throw new MalformedEnvelopeException("bad " + RECEIVED_AT + ": " + e.getMessage());
        }
        Header auth = headers.lastHeader(AUTH_USER);
        Header mailParams = headers.lastHeader(MAIL_PARAMS);
        Map<String, String> parsedMailParams = mailParams == null ? Map.of() : parseParams(text(mailParams).split(" "), 0, MAIL_PARAMS);
        return new Envelope(key, reversePath, parsedMailParams, recipients, required(headers, CLIENT_ADDRESS), required(headers, HELO),
                Optional.ofNullable(auth).map(EnvelopeHeaders::text), receivedAt);
    }

    private static Envelope.Recipient parseRecipient(String value) throws MalformedEnvelopeException {
        String[] words = value.split(" ");
        checkMailbox(words[0], RCPT_TO);
        return new Envelope.Recipient(words[0], parseParams(words, 1, RCPT_TO));
    }

    /** ESMTP parameters as on the command line: {@code NAME=value}, or {@code NAME} alone for one without a value. */
    private static String params(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((name, v) -> out.append(' ').append(name).append(v.isEmpty() ? "" : "=" + v));
        return out.toString();
    }

    private static Map<String, String> parseParams(String[] words, int from, String header) throws MalformedEnvelopeException {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = from; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq == 0 || words[i].isEmpty()) {
                throw new MalformedEnvelopeException("bad " + header + " parameter: " + words[i]);
            }
            params.put(eq < 0 ? words[i] : words[i].substring(0, eq), eq < 0 ? "" : words[i].substring(eq + 1));
        }
        return params;
    }

    private static void checkMailbox(String address, String header) throws MalformedEnvelopeException {
        try {
            MailAddress.parse(address);
        } catch (AddressException e) {
            throw new MalformedEnvelopeException("bad " + header + " address '" + address + "': " + e.getMessage());
        }
    }

    private static String required(Headers headers, String name) throws MalformedEnvelopeException {
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null) {
            throw new MalformedEnvelopeException("no " + name + " header");
        }
        return text(header);
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
