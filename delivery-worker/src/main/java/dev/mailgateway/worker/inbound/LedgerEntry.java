package dev.mailgateway.worker.inbound;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/**
 * The delivery ledger (ARCHITECTURE decision 4): one row per (queue id,
 * recipient) ever handled, so a replayed record changes nothing, even after
 * the recipient deleted the message.
 */
@Entity
@Table(name = "delivery_ledger")
public class LedgerEntry extends PanacheEntityBase {

    /** Where a recipient went. */
    public enum Route {
        LOCAL("local"), REMOTE("remote"), UNKNOWN_USER("unknown-user"),
        /** An address the model refuses, in a record queued before it: bounced (Intake.BAD_ADDRESS). */
        REFUSED("refused");

        public final String column;

        Route(String column) {
            this.column = column;
        }
    }

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "queue_id")
        public String queueId;
        public String recipient;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && queueId.equals(key.queueId) && recipient.equals(key.recipient);
        }

        @Override
        public int hashCode() {
            return Objects.hash(queueId, recipient);
        }
    }

    @EmbeddedId
    public Key key;

    public String route;

    public static LedgerEntry of(String queueId, String recipient, Route route) {
        LedgerEntry entry = new LedgerEntry();
        entry.key = new Key();
        entry.key.queueId = queueId;
        entry.key.recipient = recipient;
        entry.route = route.column;
        return entry;
    }

    /** The recipients of a message handled already, in ledger form (lower-case addresses). */
    public static Uni<List<String>> recipientsOf(String queueId) {
        return LedgerEntry.<LedgerEntry>list("key.queueId", queueId)
                .map(rows -> rows.stream().map(row -> row.key.recipient).toList());
    }
}
