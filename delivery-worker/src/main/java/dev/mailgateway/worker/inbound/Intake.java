package dev.mailgateway.worker.inbound;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;

import dev.mailgateway.common.account.Account;
import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.local.MailboxEntry;
import dev.mailgateway.worker.queue.DeliveryQueue;
import dev.mailgateway.worker.queue.QueuedRecipient;
import dev.mailgateway.worker.signing.RelaySigner;

/**
 * The fast, local work for one accepted message (ARCHITECTURE decision 3),
 * run inside a transaction of the caller's (which other records of the same
 * poll may share, InboundConsumer): store the body once, add a
 * mailbox entry per local recipient, a queue row per remote one (and per
 * report to come: an unknown user's bounce, a delivery the sender asked to
 * hear of), and record every recipient in the ledger. Recipients the ledger knows are skipped, so
 * running it twice for one record changes nothing (exactly once).
 */
@ApplicationScoped
public class Intake {

    /**
     * What one record did, for metrics, events and logs: recipients delivered to mailboxes, queued for relay,
     * unknown, and refused by the address model (with the enhanced status of their bounce).
     */
    public record Result(List<String> delivered, int queued, List<String> unknownUsers, Map<String, String> refused, boolean replay) {
    }

    /** The verdict for a local recipient whose account went away after RCPT accepted it: kept for its bounce. */
    static final SmtpReply NO_SUCH_ACCOUNT = SmtpReply.of(550, "5.1.1", "mailbox unavailable: no such account");
    /** The outcome of a local delivery, kept for its report when the sender asked with NOTIFY=SUCCESS. */
    static final SmtpReply DELIVERED_TO_MAILBOX = SmtpReply.of(250, "2.0.0", "delivered to mailbox");

    /**
     * The verdicts for an address the model refuses, which only a record queued before it can hold (an ingress
     * of the time measured lengths before case folding, and left IDN conversion to DNS): bounced, as the
     * ingress would have refused it at RCPT, rather than stalling or dead-lettering the message.
     */
    static final SmtpReply BAD_ADDRESS = SmtpReply.of(553, "5.1.3", "bad recipient address syntax");
    static final SmtpReply BAD_DOMAIN = SmtpReply.of(553, "5.1.2", "bad destination system address");

    private final LocalDomains localDomains;
    private final RelaySigner signer;

    public Intake(LocalDomains localDomains, RelaySigner signer) {
        this.localDomains = localDomains;
        this.signer = signer;
    }

    /**
     * @param again a retry of a transaction that failed: the body and mailbox entries are looked for even
     *              with no ledger row, so a body the ledger does not know of (its rows pruned, or a failure
     *              this code did not foresee) is used, never inserted a second time and refused for ever
     */
    public Uni<Result> store(Envelope envelope, byte[] message, boolean again) {
        return LedgerEntry.recipientsOf(envelope.queueId()).chain(handled -> {
            Map<String, Envelope.Recipient> fresh = new LinkedHashMap<>();
            for (Envelope.Recipient recipient : envelope.recipients()) {
                String key = ledgerKey(recipient);
                if (!handled.contains(key)) {
                    fresh.putIfAbsent(key, recipient);
                }
            }
            if (fresh.isEmpty()) {
                return Uni.createFrom().item(new Result(List.of(), 0, List.of(), Map.of(), true));
            }
            List<String> mailboxes = fresh.values().stream()
                    .map(r -> address(r).flatMap(localDomains::mailboxOf))
                    .flatMap(Optional::stream).distinct().toList();
            Uni<List<Account>> accounts = accounts(mailboxes);
            // the ledger, the body and the mailbox entries of a record are written in one transaction:
            // with no ledger row yet (the common case, not a replay) neither of the others exists
            boolean firstTime = handled.isEmpty() && !again;
            Uni<List<Long>> holding = firstTime ? Uni.createFrom().item(List.of()) : MailboxEntry.accountsHolding(envelope.queueId());
            // only a local user's mail has remote recipients (the ingress relays for no one else): signed for them
            Optional<String> relayedBy = envelope.authUser().filter(user -> fresh.values().stream()
                    .anyMatch(r -> address(r).filter(a -> localDomains.mailboxOf(a).isEmpty()).isPresent()));
            return accounts.chain(found -> holding
                    .chain(held -> body(envelope, message, firstTime, relayedBy)
                            .chain(body -> persist(envelope, body, fresh, found, held))));
        });
    }

    /**
     * The accounts of these mailboxes. One mailbox, the common case, is asked for by itself: Hibernate
     * binds a list parameter only after trying it as a single value and catching the exception.
     */
    private static Uni<List<Account>> accounts(List<String> mailboxes) {
        if (mailboxes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return mailboxes.size() == 1 ? Account.list("address = ?1", mailboxes.get(0)) : Account.list("address in ?1", mailboxes);
    }

    /** The stored body of the message: found, or stored now, signed first when a logged-in user relays it. */
    private Uni<MessageBody> body(Envelope envelope, byte[] message, boolean firstTime, Optional<String> relayedBy) {
        Uni<MessageBody> stored = firstTime ? Uni.createFrom().nullItem() : MessageBody.findByQueueId(envelope.queueId());
        return stored.chain(existing -> existing != null ? Uni.createFrom().item(existing)
                : content(message, relayedBy).chain(content -> newBody(envelope, content)));
    }

    private Uni<byte[]> content(byte[] message, Optional<String> relayedBy) {
        return relayedBy.isPresent()
                ? Uni.createFrom().completionStage(() -> signer.sign(message, relayedBy.get()).toCompletionStage())
                : Uni.createFrom().item(message);
    }

    private static Uni<MessageBody> newBody(Envelope envelope, byte[] message) {
        MessageBody body = new MessageBody();
        body.queueId = envelope.queueId();
        body.sender = envelope.reversePath();
        body.dsnRet = envelope.mailParams().get("RET");
        body.dsnEnvid = envelope.mailParams().get("ENVID");
        body.smtputf8 = envelope.smtpUtf8();
        body.receivedAt = envelope.receivedAt();
        body.sizeBytes = message.length;
        body.eightBit = MessageBody.hasEightBitOctets(message);
        body.content = message;
        return body.persist();
    }

    private Uni<Result> persist(Envelope envelope, MessageBody body, Map<String, Envelope.Recipient> fresh,
            List<Account> accounts, List<Long> accountsHolding) {
        Map<String, Account> byAddress = new LinkedHashMap<>();
        accounts.forEach(account -> byAddress.put(account.address, account));
        Set<Long> holding = new HashSet<>(accountsHolding);
        List<PanacheEntityBase> rows = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        int queued = 0;
        List<String> unknown = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (Map.Entry<String, Envelope.Recipient> entry : fresh.entrySet()) {
            String given = entry.getValue().address();
            Optional<MailAddress> recipient;
            SmtpReply refusal = null;
            try {
                recipient = Optional.of(MailAddress.parse(given));
            } catch (AddressException e) {
                recipient = Optional.empty();
                SmtpReply reply = e.kind() == AddressException.Kind.DOMAIN ? BAD_DOMAIN : BAD_ADDRESS;
                refusal = reply.withText(reply.lines().get(0) + ": " + e.getMessage());
            }
            Optional<String> mailbox = recipient.flatMap(localDomains::mailboxOf);
            LedgerEntry.Route route;
            if (recipient.isEmpty()) {
                rows.add(queueRow(envelope, body, entry.getValue(), given.substring(given.lastIndexOf('@') + 1), DeliveryQueue.FAILED, refusal));
                route = LedgerEntry.Route.REFUSED;
                refused.put(given, refusal.enhanced());
            } else if (mailbox.isEmpty()) {
                rows.add(queueRow(envelope, body, entry.getValue(), recipient.get().domain(), DeliveryQueue.QUEUED, null));
                route = LedgerEntry.Route.REMOTE;
                queued++;
            } else if (byAddress.containsKey(mailbox.get())) {
                Account account = byAddress.get(mailbox.get());
                // two addresses of one mailbox (postmaster@ each domain) get one copy
                if (holding.add(account.id)) {
                    rows.add(mailboxEntry(envelope, body, account));
                }
                delivered.add(entry.getValue().address());
                route = LedgerEntry.Route.LOCAL;
                // RFC 3461 section 6.2: a "delivered" report, never to the null reverse-path
                if (!envelope.reversePath().isEmpty() && Bouncer.wantsSuccessReport(entry.getValue().params().get("NOTIFY"))) {
                    rows.add(queueRow(envelope, body, entry.getValue(), recipient.get().domain(), DeliveryQueue.DELIVERED, DELIVERED_TO_MAILBOX));
                }
            } else {
                rows.add(queueRow(envelope, body, entry.getValue(), recipient.get().domain(), DeliveryQueue.FAILED, NO_SUCH_ACCOUNT));
                route = LedgerEntry.Route.UNKNOWN_USER;
                unknown.add(entry.getValue().address());
            }
            rows.add(LedgerEntry.of(envelope.queueId(), entry.getKey(), route));
        }
        return PanacheEntityBase.persist(rows).replaceWith(new Result(delivered, queued, unknown, refused, false));
    }

    private static MailboxEntry mailboxEntry(Envelope envelope, MessageBody body, Account account) {
        MailboxEntry entry = new MailboxEntry();
        entry.accountId = account.id;
        entry.bodyId = body.id;
        entry.queueId = envelope.queueId();
        entry.sizeBytes = body.sizeBytes;
        return entry;
    }

    /** @param domain the model's A-label form, by which the relay routes and looks up MX, converting nothing */
    private static QueuedRecipient queueRow(Envelope envelope, MessageBody body, Envelope.Recipient recipient,
            String domain, String state, SmtpReply error) {
        QueuedRecipient row = new QueuedRecipient();
        row.queueId = envelope.queueId();
        row.bodyId = body.id;
        row.recipient = recipient.address();
        row.domain = domain;
        row.dsnNotify = recipient.params().get("NOTIFY");
        row.dsnOrcpt = recipient.params().get("ORCPT");
        row.state = state;
        row.nextAttemptAt = Instant.now();
        row.lastError = error == null ? null : error.summary();
        row.status = error == null ? null : error.enhanced();
        return row;
    }

    /** The recipient in the model's form (EnvelopeHeaders read it so), or empty for an address the model refuses. */
    private static Optional<MailAddress> address(Envelope.Recipient recipient) {
        try {
            return Optional.of(MailAddress.parse(recipient.address()));
        } catch (AddressException e) {
            return Optional.empty();
        }
    }

    /** The ledger's recipient: the mailbox key, or for an address the model refuses that address lower-cased. */
    private static String ledgerKey(Envelope.Recipient recipient) {
        return address(recipient).map(MailAddress::mailboxKey).orElse(recipient.address().toLowerCase(Locale.ROOT));
    }
}
