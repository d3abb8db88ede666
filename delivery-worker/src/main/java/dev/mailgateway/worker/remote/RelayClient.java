package dev.mailgateway.worker.remote;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.DeliveryConfig;

/**
 * Relays one message to one destination, MTA to MTA: tries the next hops in
 * order (RFC 5321 section 5.1) until every recipient has a final answer,
 * moving on after a connection failure, a timeout or a temporary refusal.
 * Each hop: greeting, EHLO (HELO if refused), STARTTLS when offered
 * (opportunistic, or required for configured domains), then a
 * {@link MailTransaction}. Connections that end cleanly stay open for
 * {@code delivery.relay.reuse-time} and carry the next message to that host.
 * Each transaction first passes the caller's {@link Gate}; one it closes ends
 * the delivery there, before anything of the message was sent.
 */
@ApplicationScoped
public class RelayClient {

    private static final Logger LOG = Logger.getLogger(RelayClient.class);

    /**
     * The final answer for one recipient and the host that gave it (null when no host did);
     * {@code dsnOffered}: that host offered DSN, so it carried NOTIFY on (RFC 3461 section 4).
     */
    public record Outcome(SmtpReply reply, String remoteMta, boolean dsnOffered) {
    }

    /** Every recipient's final answer, and how the destination's servers took part. */
    public record Delivery(Map<String, Outcome> outcomes, Contact contact) {
        public Delivery {
            if (outcomes.isEmpty() || contact == null) {
                throw new IllegalArgumentException("a delivery has an outcome for each recipient, and a contact");
            }
        }
    }

    /** What a delivery says about the destination's servers: the queue manager's concurrency feedback (Postfix's qmgr_feedback). */
    public enum Contact {
        /** A host answered a mail transaction, whatever it said to the recipients. */
        MADE,
        /** Every host tried failed its handshake, temporarily: no connection, a 4xx greeting, no hello, no TLS (Postfix's site failure). */
        FAILED,
        /**
         * Nothing learnt about the servers: the gate stopped the delivery, the last host refused for good (a
         * loop), or a session failed after its handshake (a timeout in DATA says more about the message).
         */
        NONE
    }

    /** One hop's replies per recipient, and whether it offered DSN. */
    private record HopReplies(Map<String, SmtpReply> replies, boolean dsnOffered) {
    }

    private final Vertx vertx;
    private final NetClient client;
    private final DeliveryConfig.Relay settings;
    private final int port;
    private final String ownHostName;
    private final Set<String> tlsRequired;
    private final Map<String, Deque<Idle>> idle = new HashMap<>();

    private record Idle(Session session, long timer) {
    }

    /**
     * Asked right before each mail transaction whether it may start (this
     * replica still holds the recipients, the job is not past its deadline); a
     * {@link Stop} ends the delivery, its recipients left with the stop's reply.
     */
    @FunctionalInterface
    public interface Gate {
        Future<Void> open();
    }

    /**
     * Why the delivery ends here, whatever hops are left: a gate that stayed closed, or our own failure (a body
     * the store could not hand out); the reply the recipients not yet relayed are left with.
     */
    public static final class Stop extends RuntimeException {
        final SmtpReply reply;

        public Stop(SmtpReply reply) {
            super(reply.summary(), null, false, false);
            this.reply = reply;
        }
    }

    /** A greeted connection with what the server offers. */
    private record Session(SmtpClientConnection connection, ServerCapabilities server, NextHop hop) {
    }

    /** A hop whose handshake failed (connection, greeting, hello, TLS); the reply says why, for the recipients' last error. */
    private static final class HopFailure extends RuntimeException {
        final SmtpReply reply;

        HopFailure(SmtpReply reply) {
            super(reply.summary(), null, false, false);
            this.reply = reply;
        }
    }

    public RelayClient(Vertx vertx, DeliveryConfig config, MailConfig mail) {
        this.vertx = vertx;
        this.settings = config.relay();
        this.port = config.smtpPort();
        this.ownHostName = mail.hostname().toLowerCase(Locale.ROOT);
        this.tlsRequired = Set.copyOf(settings.tlsRequiredDomains().orElse(List.of()).stream()
                .map(d -> d.toLowerCase(Locale.ROOT)).toList());
        // opportunistic TLS as Postfix's "may" and "encrypt" levels: encrypted, the peer's certificate not verified
        this.client = vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setTrustAll(true));
    }

    /** The longest one transaction for {@code recipients} may take under the relay timeouts. */
    public Duration longestTransaction(int recipients) {
        return MailTransaction.longest(recipients, settings.commandTimeout(), settings.dataTimeout());
    }

    public Future<Delivery> deliver(String domain, List<NextHop> hops, OutboundMessage message, Gate gate) {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        return tryHop(domain, hops, 0, message, gate, outcomes).map(contact -> new Delivery(outcomes, contact));
    }

    /** Tries {@code hops} from {@code index} on, filling {@code outcomes}; the contact made from this hop on. */
    private Future<Contact> tryHop(String domain, List<NextHop> hops, int index, OutboundMessage message, Gate gate,
            Map<String, Outcome> outcomes) {
        NextHop hop = hops.get(index);
        return onHop(domain, hop, message, gate, true).transform(result -> {
            if (result.failed() && result.cause() instanceof Stop stop) {
                // a closed gate or our own failure: no further hop, nothing more sent
                message.recipients().forEach(r -> outcomes.put(r.address(), new Outcome(stop.reply, null, false)));
                return Future.succeededFuture(Contact.NONE);
            }
            List<OutboundMessage.Recipient> pending = new ArrayList<>();
            Contact contact;
            if (result.succeeded()) {
                contact = Contact.MADE;
                for (OutboundMessage.Recipient recipient : message.recipients()) {
                    SmtpReply reply = result.result().replies().get(recipient.address());
                    outcomes.put(recipient.address(), new Outcome(reply, hop.hostName(), result.result().dsnOffered()));
                    if (reply.isTransient()) {
                        pending.add(recipient);
                    }
                }
            } else {
                SmtpReply reply = result.cause() instanceof HopFailure failure ? failure.reply : failed(hop, result.cause());
                LOG.debugf("%s to %s: %s", message.queueId(), hop, reply.summary());
                message.recipients().forEach(r -> outcomes.put(r.address(), new Outcome(reply, hop.hostName(), false)));
                contact = result.cause() instanceof HopFailure && reply.isTransient() ? Contact.FAILED : Contact.NONE;
                if (reply.isTransient()) {
                    pending.addAll(message.recipients());
                }
            }
            if (pending.isEmpty() || index + 1 >= hops.size()) {
                return Future.succeededFuture(contact);
            }
            // a host that answered vouches for the site, whatever the next ones do
            return tryHop(domain, hops, index + 1, message.onlyTo(pending), gate, outcomes)
                    .map(later -> contact == Contact.MADE ? Contact.MADE : later);
        });
    }

    /**
     * The transaction on a reused connection, or a new one; a reused one that died while idle is replaced once
     * (never once the message's data went out: the server may have taken it). A closed gate leaves the
     * connection clean, so it is kept for the next message.
     */
    private Future<HopReplies> onHop(String domain, NextHop hop, OutboundMessage message, Gate gate, boolean mayReuse) {
        Session reused = mayReuse ? takeIdle(hop) : null;
        Future<Session> session = reused != null ? Future.succeededFuture(reused) : open(domain, hop);
        return session.compose(s -> gate.open().onFailure(closed -> keepIdle(s)).compose(open -> {
            MailTransaction transaction = new MailTransaction(s.connection(), s.server(), message, settings.commandTimeout(), settings.dataTimeout());
            return transaction.run()
                    .map(replies -> new HopReplies(replies, s.server().offers("DSN")))
                    .onSuccess(done -> keepIdle(s))
                    .recover(e -> reused != null && !transaction.sentData() && !(e instanceof Stop) ? onHop(domain, hop, message, gate, false)
                            : Future.failedFuture(e));
        }));
    }

    private Future<Session> open(String domain, NextHop hop) {
        return SmtpClientConnection.open(vertx, client, hop, port, settings.commandTimeout()).compose(connected -> {
            SmtpClientConnection connection = connected.connection();
            if (!connected.greeting().isPositive()) {
                connection.quit();
                return Future.failedFuture(new HopFailure(asTemporary(hop, "greeted with", connected.greeting())));
            }
            return hello(connection, hop)
                    .compose(server -> secure(domain, connection, server, hop))
                    .map(server -> new Session(connection, server, hop))
                    .onFailure(e -> connection.quit());
        }).recover(e -> Future.failedFuture(e instanceof HopFailure ? e : new HopFailure(failed(hop, e))));
    }

    /** What the recipients are left with when {@code hop} failed with {@code e}: temporary, another hop or attempt may do. */
    private static SmtpReply failed(NextHop hop, Throwable e) {
        return SmtpReply.of(451, "4.4.1", hop + ": " + e.getMessage());
    }

    /** EHLO, or HELO when EHLO is refused (RFC 5321 section 3.2); a server calling itself by our name is a loop. */
    private Future<ServerCapabilities> hello(SmtpClientConnection connection, NextHop hop) {
        return connection.send("EHLO " + ownHostName, settings.commandTimeout()).compose(ehlo -> {
            if (ehlo.isPositive()) {
                return loopCheck(ehlo, hop).map(ServerCapabilities.fromEhlo(ehlo));
            }
            return connection.send("HELO " + ownHostName, settings.commandTimeout()).compose(helo -> helo.isPositive()
                    ? loopCheck(helo, hop).map(ServerCapabilities.NONE)
                    : Future.failedFuture(new HopFailure(asTemporary(hop, "refused HELO with", helo))));
        });
    }

    private Future<Void> loopCheck(SmtpReply hello, NextHop hop) {
        String name = hello.lines().get(0).trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
        return name.equals(ownHostName)
                ? Future.failedFuture(new HopFailure(SmtpReply.of(554, "5.4.6", "mail loops back to myself: " + hop + " answers as " + name)))
                : Future.succeededFuture();
    }

    /** STARTTLS when offered (RFC 3207), then EHLO again: what was offered in the clear counts no more. */
    private Future<ServerCapabilities> secure(String domain, SmtpClientConnection connection, ServerCapabilities server, NextHop hop) {
        boolean required = tlsRequired.contains(domain.toLowerCase(Locale.ROOT));
        if (!server.offers("STARTTLS")) {
            return required ? Future.failedFuture(new HopFailure(SmtpReply.of(451, "4.7.4", hop + " does not offer STARTTLS, which " + domain + " requires")))
                    : Future.succeededFuture(server);
        }
        return connection.send("STARTTLS", settings.commandTimeout()).compose(reply -> {
            if (reply.code() != 220) {
                return required ? Future.failedFuture(new HopFailure(asTemporary(hop, "refused STARTTLS with", reply)))
                        : Future.succeededFuture(server);
            }
            return connection.startTls(hop.hostName())
                    .compose(tls -> connection.send("EHLO " + ownHostName, settings.commandTimeout()))
                    .compose(ehlo -> ehlo.isPositive() ? Future.succeededFuture(ServerCapabilities.fromEhlo(ehlo))
                            : Future.failedFuture(new HopFailure(asTemporary(hop, "refused EHLO after STARTTLS with", ehlo))));
        });
    }

    /** A hop's refusal before any recipient was named moves on to the next hop, whatever its code (Postfix's smtp_skip_5xx_greeting). */
    private static SmtpReply asTemporary(NextHop hop, String what, SmtpReply reply) {
        return SmtpReply.of(451, "4.4.0", hop + " " + what + " " + reply.summary());
    }

    private Session takeIdle(NextHop hop) {
        Deque<Idle> sessions = idle.get(hop.address());
        Idle next;
        while (sessions != null && (next = sessions.pollFirst()) != null) {
            vertx.cancelTimer(next.timer());
            if (next.session().connection().isOpen()) {
                return next.session();
            }
        }
        return null;
    }

    private void keepIdle(Session session) {
        if (!session.connection().isOpen()) {
            return;
        }
        Deque<Idle> sessions = idle.computeIfAbsent(session.hop().address(), a -> new ArrayDeque<>());
        Idle[] entry = new Idle[1];
        long timer = vertx.setTimer(settings.reuseTime().toMillis(), id -> {
            sessions.remove(entry[0]);
            session.connection().quit();
        });
        entry[0] = new Idle(session, timer);
        sessions.addFirst(entry[0]);
    }

    @PreDestroy
    void close() {
        idle.values().forEach(sessions -> sessions.forEach(i -> {
            vertx.cancelTimer(i.timer());
            i.session().connection().quit();
        }));
        client.close();
    }
}
