package dev.mailgateway.pop3.protocol;

import io.vertx.core.Future;

/**
 * The maildrop lease: one session per maildrop across every replica (RFC 1939
 * section 4: an exclusive-access lock from login to the UPDATE state). A
 * session takes it at login, keeps it alive while it lasts and gives it up
 * at its end; a replica that died loses its sessions' leases when they run out.
 */
public interface MaildropLease {

    /**
     * Names this replica before it serves anyone (no '/' in it), and frees the
     * locks a killed earlier run under the same name left behind.
     */
    Future<Void> startReplica(String name);

    /**
     * Frees every lock this replica's sessions still hold: at shutdown, once
     * they have ended, so that their maildrops are free at once rather than
     * after the lease, whether or not each session's own unlock got through.
     */
    Future<Void> stopReplica();

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
}
