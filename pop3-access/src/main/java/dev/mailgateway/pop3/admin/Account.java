package dev.mailgateway.pop3.admin;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

import dev.mailgateway.common.address.MailAddress;

/** A local mailbox's account, as the admin API manages it (Hibernate Reactive Panache: entity CRUD). */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** The address as MailAddress#mailboxKey() gives it: addresses compare case-insensitively. */
    public String address;

    /** bcrypt in Modular Crypt Format; null while login is disabled. */
    @Column(name = "password_hash")
    public String passwordHash;

    /** Encrypted with pop3.apop.key; null: no APOP. */
    @Column(name = "apop_secret")
    public byte[] apopSecret;

    /** 0: no quota. */
    @Column(name = "quota_bytes")
    public long quotaBytes;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    public static Uni<Account> findByAddress(String address) {
        return find("address", MailAddress.keyOf(address)).firstResult();
    }
}
