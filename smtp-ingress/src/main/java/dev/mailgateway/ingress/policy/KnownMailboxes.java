package dev.mailgateway.ingress.policy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgNotification;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;

/**
 * The local mailboxes that RCPT found to exist without a quota, so that the
 * next message to one of them is not one more query: that query per message
 * was more than half of PostgreSQL's CPU at the end-to-end peak (0.27 ms of
 * it per message, 0.12 without), and a round trip in every RCPT.
 * <p>
 * They are trusted only while a connection of the pool listens on
 * {@link #CHANNEL} (migration V15) and was heard from within
 * {@link #TRUST_WINDOW}: a removed account, or one whose address or quota
 * changed, is dropped when its notice arrives, moments after the change
 * commits, so an unknown user still gets 550 at RCPT (a message to it in those
 * moments gets 250 and the worker bounces it with 5.1.1, as one whose account
 * went between RCPT and storage always was). The connection is pinged
 * every {@link #PING_EVERY}, since one that a failover or a network cut left
 * silent would bring no notices and no close either. While nobody listens (at
 * start, after the connection failed, with the database out of reach) nothing
 * is trusted and every RCPT asks, as before: then 451 4.3.0 if the database
 * cannot answer. Changes made with triggers disabled
 * ({@code session_replication_role = replica}, a restore with
 * {@code --disable-triggers}) send no notice: restart the ingresses after one.
 */
@ApplicationScoped
public class KnownMailboxes {

    private static final Logger LOG = Logger.getLogger(KnownMailboxes.class);
    static final String CHANNEL = "account_changed";
    /** Mailboxes kept at most, up to some 1 KB each for the longest addresses; past it the least recently used go. */
    static final int MAX_MAILBOXES = 10_000;
    /** A mailbox is asked for again after this even with no change announced: a bound on any notice missed. */
    static final Duration KEEP = Duration.ofMinutes(10);
    /** How often the listening connection is asked whether it is still there (by LISTEN again). */
    static final Duration PING_EVERY = Duration.ofSeconds(2);
    /** How long after the connection last answered its mailboxes are trusted: two pings and some. */
    static final Duration TRUST_WINDOW = Duration.ofSeconds(5);
    /** A connection silent this long is given up and another one taken (TCP alone would take some 15 minutes). */
    static final Duration SILENCE_LIMIT = TRUST_WINDOW.multipliedBy(3);
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final Cache<String, Boolean> mailboxes = CacheBuilder.newBuilder().maximumSize(MAX_MAILBOXES).expireAfterWrite(KEEP).build();
    /** Counts the changes heard and the times everything was forgotten: a lookup that overlapped one is not kept. */
    private final AtomicLong changes = new AtomicLong();
    private final Pool pool;
    private final Vertx vertx;
    private volatile boolean stopping;
    private volatile Attempt current;

    public KnownMailboxes(Pool pool, Vertx vertx) {
        this.pool = pool;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        listen(FIRST_RETRY);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        Attempt attempt = current;
        if (attempt != null) {
            attempt.end("shutting down");
        }
    }

    /** Whether {@code mailbox} exists without a quota, as far as this ingress knows for sure. */
    public boolean knows(String mailbox) {
        return trusted() && mailboxes.getIfPresent(mailbox) != null;
    }

    /** Read before the lookup whose answer is then {@link #remember remembered}. */
    public long changesSoFar() {
        return changes.get();
    }

    /** Keeps {@code mailbox}, found without a quota by a lookup that began at {@code changesBefore}, unless a change came meanwhile. */
    public void remember(String mailbox, long changesBefore) {
        if (!trusted() || changes.get() != changesBefore) {
            return;
        }
        mailboxes.put(mailbox, Boolean.TRUE);
        // a change counted between the check and the put may have dropped the mailbox before it was there
        if (changes.get() != changesBefore) {
            mailboxes.invalidate(mailbox);
        }
    }

    private boolean trusted() {
        Attempt attempt = current;
        return attempt != null && attempt.trusted();
    }

    private void changed(PgNotification notice) {
        changes.incrementAndGet();
        if (notice.getPayload().isEmpty()) {
            mailboxes.invalidateAll();
        } else {
            mailboxes.invalidate(notice.getPayload());
        }
    }

    private void forgetAll() {
        changes.incrementAndGet();
        mailboxes.invalidateAll();
    }

    private void listen(Duration retry) {
        if (stopping) {
            return;
        }
        pool.getConnection().onComplete(got -> {
            if (got.failed()) {
                LOG.debugf("cannot listen for account changes, RCPT asks the database: %s", got.cause().toString());
                tryAgain(retry);
                return;
            }
            Attempt attempt = new Attempt(got.result(), retry);
            current = attempt;
            attempt.begin();
        });
    }

    private void tryAgain(Duration retry) {
        if (!stopping) {
            vertx.setTimer(retry.toMillis(), id -> listen(longer(retry)));
        }
    }

    private static Duration longer(Duration retry) {
        Duration doubled = retry.multipliedBy(2);
        return doubled.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : doubled;
    }

    /**
     * One connection's turn at listening, from LISTEN to its end: a failed statement, a close, silence past
     * {@link #SILENCE_LIMIT}, or shutdown. Its mailboxes are not trusted once {@link #TRUST_WINDOW} passed
     * without a ping answered.
     */
    private final class Attempt {
        private final SqlConnection connection;
        private final Duration retry;
        private final AtomicBoolean over = new AtomicBoolean();
        /** Set once LISTEN held; trusted from then, while pings are answered, until the attempt is over. */
        private volatile boolean held;
        /** System.nanoTime() when the last ping answered was sent. */
        private volatile long lastHeard;
        private volatile boolean pingUnanswered;

        Attempt(SqlConnection connection, Duration retry) {
            this.connection = connection;
            this.retry = retry;
        }

        void begin() {
            PgConnection pg = PgConnection.cast(connection);
            pg.notificationHandler(KnownMailboxes.this::changed);
            // set before LISTEN, so that a close at any point is heard
            pg.closeHandler(closed -> end("connection closed"));
            if (stopping) {
                end("shutting down");
                return;
            }
            pg.query("LISTEN " + CHANNEL).execute().onComplete(listened -> {
                if (listened.failed()) {
                    end("LISTEN failed: " + listened.cause());
                    return;
                }
                // what was kept before this LISTEN may have missed a notice
                forgetAll();
                lastHeard = System.nanoTime();
                held = true;
                vertx.setPeriodic(PING_EVERY.toMillis(), id -> {
                    if (over.get()) {
                        vertx.cancelTimer(id);
                    } else if (!pingUnanswered) {
                        ping();
                    } else if (System.nanoTime() - lastHeard > SILENCE_LIMIT.toNanos()) {
                        end("no answer for " + SILENCE_LIMIT);
                    }
                });
            });
        }

        /** LISTEN again: a no-op for a session that listens, and what pg_stat_activity shows for this connection. */
        private void ping() {
            long sent = System.nanoTime();
            pingUnanswered = true;
            connection.query("LISTEN " + CHANNEL).execute().onComplete(answer -> {
                pingUnanswered = false;
                if (answer.failed()) {
                    end("ping failed: " + answer.cause());
                } else {
                    lastHeard = sent;
                }
            });
        }

        boolean trusted() {
            return held && !over.get() && System.nanoTime() - lastHeard < TRUST_WINDOW.toNanos();
        }

        /** Forgets every mailbox and gives the connection back; the first end of an attempt schedules the next. */
        void end(String why) {
            if (!over.compareAndSet(false, true)) {
                return;
            }
            forgetAll();
            // back to the pool as any other connection, no longer listening: it fails at once if the connection is
            // gone, and a silent one is kept out of the pool until TCP gives up on it
            connection.query("UNLISTEN *").execute().onComplete(unlistened -> connection.close());
            if (!stopping) {
                if (held) {
                    LOG.warnf("stopped listening for account changes (%s); RCPT asks the database until it listens again", why);
                } else {
                    LOG.debugf("could not listen for account changes (%s)", why);
                }
                tryAgain(held ? FIRST_RETRY : retry);
            }
        }
    }
}
