package dev.mailgateway.common.envelope;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.address.MailPath;

/**
 * Envelope &lt;-&gt; Kafka record headers. The record key is the queue id; the
 * value is the message bytes, untouched. Per recipient, in RCPT order, a
 * {@code recipient} header holding the address alone, and a
 * {@code recipient-params} header with its ESMTP parameters as
 * {@code NAME=value} separated by spaces (their grammars have no space), as
 * they appeared on the RCPT line: a quoted local part may hold spaces, so
 * nothing is ever split out of an address. Addresses are read back through
 * the address model, in its form.
 */
public final class EnvelopeHeaders {

    public static final String MAIL_FROM = "mail-from";
    public static final String MAIL_PARAMS = "mail-params";
    public static final String RECIPIENT = "recipient";
    public static final String RECIPIENT_PARAMS = "recipient-params";
    /**
     * The format before {@code recipient}: the address and its parameters in one header, separated by
     * spaces. Still read, so records queued before an upgrade are delivered; never written.
     */
    static final String LEGACY_RCPT_TO = "rcpt-to";
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
            headers.add(header(MAIL_PARAMS, params(envelope.mailParams())));
        }
        for (Envelope.Recipient recipient : envelope.recipients()) {
            headers.add(header(RECIPIENT, recipient.address()));
            headers.add(header(RECIPIENT_PARAMS, params(recipient.params())));
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
            reversePath = mailbox(reversePath, MAIL_FROM);
        }
        List<Envelope.Recipient> recipients = headers.lastHeader(RECIPIENT) != null ? recipients(headers) : legacyRecipients(headers);
        if (recipients.isEmpty()) {
            throw new MalformedEnvelopeException("no " + RECIPIENT + " header");
        }
        Instant receivedAt;
        try {
            receivedAt = Instant.parse(required(headers, RECEIVED_AT));
        } catch (DateTimeParseException e) {
            throw new MalformedEnvelopeException("bad " + RECEIVED_AT + ": " + e.getMessage());
        }
        Header auth = headers.lastHeader(AUTH_USER);
        Header mailParams = headers.lastHeader(MAIL_PARAMS);
        Map<String, String> parsedMailParams = mailParams == null ? Map.of() : parseParams(text(mailParams), MAIL_PARAMS);
        return new Envelope(key, reversePath, parsedMailParams, recipients, required(headers, CLIENT_ADDRESS), required(headers, HELO),
                Optional.ofNullable(auth).map(EnvelopeHeaders::text), receivedAt);
    }

    /** Each {@code recipient} header with the {@code recipient-params} header of the same position. */
    private static List<Envelope.Recipient> recipients(Headers headers) throws MalformedEnvelopeException {
        List<Header> addresses = new ArrayList<>();
        headers.headers(RECIPIENT).forEach(addresses::add);
        List<Header> params = new ArrayList<>();
        headers.headers(RECIPIENT_PARAMS).forEach(params::add);
        if (addresses.size() != params.size()) {
            throw new MalformedEnvelopeException(addresses.size() + " " + RECIPIENT + " headers but " + params.size() + " " + RECIPIENT_PARAMS);
        }
        List<Envelope.Recipient> recipients = new ArrayList<>();
        for (int i = 0; i < addresses.size(); i++) {
            recipients.add(new Envelope.Recipient(mailbox(text(addresses.get(i)), RECIPIENT), parseParams(text(params.get(i)), RECIPIENT_PARAMS)));
        }
        return recipients;
    }

    /** {@code rcpt-to}: the address ends at the first space outside a quoted local part, its parameters follow. */
    private static List<Envelope.Recipient> legacyRecipients(Headers headers) throws MalformedEnvelopeException {
        List<Envelope.Recipient> recipients = new ArrayList<>();
        for (Header header : headers.headers(LEGACY_RCPT_TO)) {
            String value = text(header);
            int space = MailPath.indexOutsideQuotes(value, 0, ' ');
            recipients.add(new Envelope.Recipient(mailbox(space < 0 ? value : value.substring(0, space), LEGACY_RCPT_TO),
                    parseParams(space < 0 ? "" : value.substring(space + 1), LEGACY_RCPT_TO)));
        }
        return recipients;
    }

    /** ESMTP parameters as on the command line: {@code NAME=value}, or {@code NAME} alone for one without a value. */
    private static String params(Map<String, String> params) {
        return params.entrySet().stream().map(p -> p.getValue().isEmpty() ? p.getKey() : p.getKey() + "=" + p.getValue())
                .collect(Collectors.joining(" "));
    }

    private static Map<String, String> parseParams(String text, String header) throws MalformedEnvelopeException {
        Map<String, String> params = new LinkedHashMap<>();
        for (String word : text.isEmpty() ? new String[0] : text.split(" ", -1)) {
            int eq = word.indexOf('=');
            if (eq == 0 || word.isEmpty()) {
                throw new MalformedEnvelopeException("bad " + header + " parameter: " + word);
            }
            params.put(eq < 0 ? word : word.substring(0, eq), eq < 0 ? "" : word.substring(eq + 1));
        }
        return params;
    }

    /**
     * The address in the model's form. One the model refuses can only come from a record queued before it
     * (whose ingress kept U-labels and measured lengths before case folding): it is kept as it came, for the
     * worker to bounce, as long as it is {@code local@domain} without a control character to break a header.
     */
    private static String mailbox(String address, String header) throws MalformedEnvelopeException {
        try {
            return MailAddress.parse(address).toString();
        } catch (AddressException e) {
            int at = address.lastIndexOf('@');
            if (at <= 0 || at == address.length() - 1 || address.chars().anyMatch(Character::isISOControl)) {
                throw new MalformedEnvelopeException("bad " + header + " address '" + address + "': " + e.getMessage());
            }
            return address;
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
