package dev.mailgateway.common.store;

/** Statements on message bodies that more than one service runs. */
public final class MessageBodies {

    /**
     * Octets {@code $2} (1-based) to {@code $2 + $3 - 1} of body {@code $1}: a
     * chunk of a message streamed out (POP3 RETR, relay DATA). The column is
     * stored EXTERNAL, uncompressed, so PostgreSQL reads only the TOAST chunks
     * that hold the range.
     */
    public static final String READ_RANGE = "select substring(content from $2 for $3) from message_body where id = $1";

    private MessageBodies() {
    }
}
