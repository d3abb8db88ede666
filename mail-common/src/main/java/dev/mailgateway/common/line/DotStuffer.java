package dev.mailgateway.common.line;

import io.vertx.core.buffer.Buffer;

/**
 * Byte-stuffing of a multi-line response (RFC 1939 section 3): a line that
 * starts with "." gets one more, so only the terminating ".CRLF" ends it.
 * Works on chunks cut anywhere; a line starts after every LF, so no client,
 * strict or lenient about bare LF, can be made to see an early end.
 */
public final class DotStuffer {

    // the last two bytes seen; an empty response counts as ending with CRLF
    private byte secondLast = '\r';
    private byte last = '\n';

    public Buffer stuff(Buffer chunk) {
        // one copy to an array, then a plain loop: a bounds-checked read per octet costs more than the copy
        byte[] bytes = chunk.getBytes();
        Buffer out = Buffer.buffer(bytes.length + 16);
        int from = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '.' && last == '\n') {
                out.appendBytes(bytes, from, i - from).appendByte((byte) '.');
                from = i;
            }
            secondLast = last;
            last = b;
        }
        return out.appendBytes(bytes, from, bytes.length - from);
    }

    /** The end of the response: ".CRLF", after a CRLF if the content did not end with one. */
    public Buffer terminator() {
        return Buffer.buffer(secondLast == '\r' && last == '\n' ? ".\r\n" : "\r\n.\r\n");
    }
}
