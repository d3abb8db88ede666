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
     * Takes the next chunk. Only the header section's octets are copied; the body is handed on as
     * slices of the chunk.
     *
     * @return the body octets in it (empty while still in the header section)
     * @throws DkimFormatException when the header section passes {@link #MAX_HEADER_SECTION}; what
     *                             was kept, the first {@link #MAX_HEADER_SECTION} octets, is still
     *                             in {@link #headers()}
     */
    public Buffer feed(Buffer chunk) {
        if (inBody) {
            return chunk;
        }
        int room = MAX_HEADER_SECTION - header.size();
        for (int i = 0, length = chunk.length(); i < length; i++) {
            byte b = chunk.getByte(i);
            if (state == State.LINE_START_CR && b == '\n') {
                inBody = true;
                keep(chunk, i);
                return chunk.slice(i + 1, length);
            }
            state = switch (state) {
                case LINE_START -> b == '\r' ? State.LINE_START_CR : State.IN_LINE;
                case CR -> b == '\n' ? State.LINE_START : b == '\r' ? State.CR : State.IN_LINE;
                default -> b == '\r' ? State.CR : State.IN_LINE;
            };
            if (i == room) {
                keep(chunk, i);
                throw new DkimFormatException("Header section over " + MAX_HEADER_SECTION + " octets");
            }
        }
        keep(chunk, chunk.length());
        return Buffer.buffer();
    }

    /** Keeps the chunk's octets before {@code end}: they belong to the header section. */
    private void keep(Buffer chunk, int end) {
        header.writeBytes(chunk.getBytes(0, end));
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
