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

    private MessageBodies() {
    }
}
