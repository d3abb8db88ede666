package dev.mailgateway.worker.local;

import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/** A message in a local mailbox: the account, the shared body, and the queue id that POP3 shows as its UIDL. */
@Entity
@Table(name = "mailbox_entry")
public class MailboxEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "account_id")
    public long accountId;

    @Column(name = "body_id")
    public long bodyId;

    @Column(name = "queue_id")
    public String queueId;

    @Column(name = "size_bytes")
    public long sizeBytes;

    /** The accounts that hold this message already. */
    public static Uni<List<Long>> accountsHolding(String queueId) {
        return MailboxEntry.<MailboxEntry>list("queueId", queueId)
                .map(rows -> rows.stream().map(row -> row.accountId).toList());
    }
}
