package dev.mailgateway.pop3.protocol;

import java.util.List;

import dev.mailgateway.common.store.MessageSource;

/**
 * A POP3 response (RFC 1939 section 3): a status line, and for multi-line
 * responses either lines we generate or a stored message streamed in chunks.
 * Lines and the status text exclude CRLF; the connection adds line ends,
 * byte-stuffing and the terminating "." line.
 */
public sealed interface Pop3Response {

    String status();

    /** A single line: {@code +OK ...} or {@code -ERR ...}. */
    record Single(String status) implements Pop3Response {
    }

    /** A status line and generated lines (LIST, UIDL, CAPA). */
    record Lines(String status, List<String> lines) implements Pop3Response {
    }

    /** A status line and a stored message, read in chunks (RETR). */
    record Message(String status, MessageSource source, long size) implements Pop3Response {
    }

    static Pop3Response ok(String text) {
        return new Single(text.isEmpty() ? "+OK" : "+OK " + text);
    }

    static Pop3Response err(String text) {
        return new Single("-ERR " + text);
    }
}
