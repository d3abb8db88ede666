package dev.mailgateway.pop3.protocol;

import java.util.List;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.store.MessageSource;

/** The stored messages of a maildrop: its listing, their bytes, and their removal in the UPDATE state. */
public interface MessageStore {

    /** One message of a maildrop: its entry, its stable unique id (UIDL) and its size in octets. */
    record Entry(long id, String uid, long size, long bodyId) {
    }

    /** The account's messages, oldest first. */
    Future<List<Entry>> list(long accountId);

    /** The message's bytes, chunk by chunk. */
    MessageSource content(Entry entry);

    /** The whole bytes of several (small) messages in one go, by body id. */
    Future<Map<Long, Buffer>> bodies(List<Entry> entries);

    /**
     * Removes the entries (RFC 1939 UPDATE state) in one transaction that first
     * renews {@code owner}'s {@link MaildropLease} lock: false, deleting nothing,
     * when the lock is no longer {@code owner}'s. Renewal and deletion commit
     * together, so no other session can take the maildrop over between the
     * check and the deletion; that is why deleting takes the lock's owner.
     * Their bodies go with their last reference.
     */
    Future<Boolean> delete(long accountId, String owner, List<Entry> entries);
}
