package dev.mailgateway.pop3.protocol;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/** The stored mailboxes as POP3 needs them; carried out by the maildrop layer over PostgreSQL. */
public interface Maildrop {

    /** One message of a maildrop: its entry, its stable unique id (UIDL) and its size in octets. */
    record Entry(long id, String uid, long size, long bodyId) {
    }

    /** An account that has an APOP secret, with that secret decrypted. */
    record ApopAccount(long id, String secret) {
    }

    /** The account's id when the password is right; empty when not. Fails when the store is unreachable. */
    Future<Optional<Long>> login(String user, String password);

    /** The account and its APOP secret (RFC 1939 section 7); empty when the account is unknown or has none. */
    Future<Optional<ApopAccount>> apopAccount(String user);

    /**
     * Names this replica before it serves anyone (no '/' in it), and frees the
     * locks a killed earlier run under the same name left behind.
     */
    Future<Void> startReplica(String name);

    /** Takes the maildrop's lock for {@code owner} (one session per maildrop); false when another session holds it. */
    Future<Boolean> lock(long accountId, String owner);

    /**
     * Keeps {@code owner}'s lock from expiring while its session lives: true while
     * the lock is still {@code owner}'s, false once another session took it over
     * (a stall outlived the lease). Fails when the store is unreachable.
     */
    Future<Boolean> renew(long accountId, String owner);

    /** Gives up {@code owner}'s lock (QUIT, disconnect). */
    Future<Void> unlock(long accountId, String owner);

    /** The account's messages, oldest first. */
    Future<List<Entry>> list(long accountId);

    /** The message's bytes, chunk by chunk. */
    MessageSource content(Entry entry);

    /** The whole bytes of several (small) messages in one go, by body id. */
    Future<Map<Long, Buffer>> bodies(List<Entry> entries);

    /**
     * Removes the entries in one transaction (RFC 1939 UPDATE state) that first
     * renews {@code owner}'s lock: false, deleting nothing, when the lock is no
     * longer {@code owner}'s. Their bodies go with their last reference.
     */
    Future<Boolean> delete(long accountId, String owner, List<Entry> entries);
}
