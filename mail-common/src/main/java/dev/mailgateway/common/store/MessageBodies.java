package dev.mailgateway.common.store;

/** Statements on message bodies that more than one service runs. */
public final class MessageBodies {

    /**
     * Removes those of the bodies {@code $1} (bigint[]) that nothing references
     * any more: a body goes with its last mailbox entry or queue row
     * (ARCHITECTURE decision 8), whichever service dropped that.
     */
    public static final String DELETE_UNREFERENCED = "delete from message_body b where b.id = any($1)"
            + " and not exists (select 1 from mailbox_entry e where e.body_id = b.id)"
            + " and not exists (select 1 from delivery_queue q where q.body_id = b.id)";

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
