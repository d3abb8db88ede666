package dev.mailgateway.pop3.admin;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;

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

    /**
     * A criteria query rather than Panache's {@code find("address", ...)}: a query string would load
     * Hibernate's HQL parser (ANTLR and its tables, some 430 classes and 5 MB) into pop3-access for
     * good at the first admin call. Any Panache query string here (find, list, count) brings it back.
     */
    public static Uni<Account> findByAddress(String address) {
        return getSession().chain(session -> {
            CriteriaBuilder criteria = session.getFactory().getCriteriaBuilder();
            CriteriaQuery<Account> query = criteria.createQuery(Account.class);
            Root<Account> account = query.from(Account.class);
            query.where(criteria.equal(account.get("address"), MailAddress.keyOf(address)));
            return session.createQuery(query).getSingleResultOrNull();
        });
    }
}
