package dev.mailgateway.worker.inbound;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

/** The stored bytes of one accepted message, shared by every mailbox entry and queue row of it. */
@Entity
@Table(name = "message_body")
public class MessageBody extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "queue_id")
    public String queueId;

    /** The reverse-path; "" for {@code <>}. */
    public String sender;

    /** RFC 3461 RET (FULL or HDRS), for the bounce; null when not given. */
    @Column(name = "dsn_ret")
    public String dsnRet;

    /** RFC 3461 ENVID, echoed in the bounce; null when not given. */
    @Column(name = "dsn_envid")
    public String dsnEnvid;

    /** RFC 6531: the next hop must offer SMTPUTF8. */
    public boolean smtputf8;

    @Column(name = "received_at")
    public Instant receivedAt;

    @Column(name = "size_bytes")
    public long sizeBytes;

    /** Any octet above 127: a next hop must offer 8BITMIME (RFC 6152). Found here once, as the relay streams the content. */
    @Column(name = "eight_bit")
    public Boolean eightBit;

    public byte[] content;

    public static Uni<MessageBody> findByQueueId(String queueId) {
        return find("queueId", queueId).firstResult();
    }

    static boolean hasEightBitOctets(byte[] message) {
        for (byte octet : message) {
            if (octet < 0) {
                return true;
            }
        }
        return false;
    }
}
