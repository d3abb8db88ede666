package dev.mailgateway.common.auth.dkim;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import io.vertx.core.buffer.Buffer;

/**
 * Splits a message fed in chunks, cut anywhere, at the empty line that ends
 * its header section (RFC 5322 section 2.1): the header section is kept, up
 * to {@link #MAX_HEADER_SECTION} octets, and every body octet is handed on
 * as it arrives, so a body is never held. A message without the empty line
 * is all header section and has an empty body.
 */
public final class MessageSplitter {

    /**
     * Longest header section kept, in octets. RFC 5322 sets none; Postfix's header_size_limit is
     * 102400. A longer section is no message DKIM signs or verifies here.
     */
    public static final int MAX_HEADER_SECTION = 256 * 1024;

    /** Where the search for the empty line stands: after CRLF (a line starts), after CR, or within a line. */
    private enum State { LINE_START, LINE_START_CR, IN_LINE, CR }

    private final ByteArrayOutputStream header = new ByteArrayOutputStream();
    private State state = State.LINE_START;
    private boolean inBody;

    /**
     * Takes the next chunk.
     *
     * @return the body octets in it (empty while still in the header section)
     * @throws DkimFormatException when the header section passes {@link #MAX_HEADER_SECTION}
     */
    public Buffer feed(Buffer chunk) {
        if (inBody) {
            return chunk;
        }
        byte[] octets = chunk.getBytes();
        for (int i = 0; i < octets.length; i++) {
            byte b = octets[i];
            if (state == State.LINE_START_CR && b == '\n') {
                inBody = true;
                return chunk.slice(i + 1, chunk.length());
            }
            state = switch (state) {
                case LINE_START -> b == '\r' ? State.LINE_START_CR : State.IN_LINE;
                case CR -> b == '\n' ? State.LINE_START : b == '\r' ? State.CR : State.IN_LINE;
                default -> b == '\r' ? State.CR : State.IN_LINE;
            };
            if (header.size() == MAX_HEADER_SECTION) {
                throw new DkimFormatException("Header section over " + MAX_HEADER_SECTION + " octets");
            }
            header.write(b);
        }
        return Buffer.buffer();
    }

    /** The header section, its ending empty line excluded; complete once the body started or the message ended. */
    public HeaderSection headers() {
        byte[] octets = header.toByteArray();
        int length = octets.length;
        if (inBody) {
            length--; // the CR of the empty line
        }
        return HeaderSection.parse(Arrays.copyOf(octets, length));
    }
}
