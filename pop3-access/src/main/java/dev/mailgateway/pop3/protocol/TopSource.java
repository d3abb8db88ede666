package dev.mailgateway.pop3.protocol;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/**
 * What TOP msg n sends (RFC 1939 section 7): the header section, the empty
 * line after it, and the first n lines of the body; all of it when the
 * message is shorter. Reads the stored message chunk by chunk like RETR and
 * stops reading at the cut: an empty chunk ends the response. Lines end at
 * LF, as the message is stored with CRLF line ends.
 */
final class TopSource implements MessageSource {

    private final MessageSource whole;
    private long bodyLinesLeft;
    private boolean inBody;
    private int lineLength;
    private boolean done;

    TopSource(MessageSource whole, long bodyLines) {
        this.whole = whole;
        this.bodyLinesLeft = bodyLines;
    }

    @Override
    public Future<Buffer> read(long offset, int length) {
        if (done) {
            return Future.succeededFuture(Buffer.buffer());
        }
        return whole.read(offset, length).map(this::cut);
    }

    private Buffer cut(Buffer chunk) {
        byte[] bytes = chunk.getBytes();
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b != '\n') {
                lineLength += b == '\r' ? 0 : 1;
                continue;
            }
            boolean blankLine = lineLength == 0;
            lineLength = 0;
            if (!inBody) {
                inBody = blankLine;
                if (inBody && bodyLinesLeft == 0) {
                    return end(chunk, i);
                }
            } else if (--bodyLinesLeft == 0) {
                return end(chunk, i);
            }
        }
        return chunk;
    }

    private Buffer end(Buffer chunk, int lastIndex) {
        done = true;
        return chunk.getBuffer(0, lastIndex + 1);
    }
}
