package dev.mailgateway.worker.queue;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * One row of the delivery queue: a recipient that is not delivered locally,
 * waiting for a relay attempt ({@code queued}), or a recipient waiting for its
 * report ({@code failed}; {@code delivered} or {@code relayed} for NOTIFY=SUCCESS).
 */
@Entity
@Table(name = "delivery_queue")
public class QueuedRecipient extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "queue_id")
    public String queueId;

    @Column(name = "body_id")
    public long bodyId;

    public String recipient;

    public String domain;

    @Column(name = "dsn_notify")
    public String dsnNotify;

    @Column(name = "dsn_orcpt")
    public String dsnOrcpt;

    public String state = DeliveryQueue.QUEUED;

    public int attempts;

    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    @Column(name = "last_error")
    public String lastError;

    /** RFC 3463 status of the last outcome, for the bounce. */
    public String status;
}
