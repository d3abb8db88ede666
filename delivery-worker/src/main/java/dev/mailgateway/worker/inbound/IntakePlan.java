package dev.mailgateway.worker.inbound;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.queue.DeliveryQueue;

/**
 * The rows that storing a group of records writes, decided from what the
 * ledger and the accounts table said before any row is written: a body per
 * message with a recipient not handled before, a mailbox entry per local
 * mailbox, a queue row per remote recipient and per report to come (an
 * unknown user's bounce, a delivery the sender asked to hear of), and a ledger
 * row per recipient. Recipients the ledger knows, and those an earlier record
 * of the same group handled, are skipped, so a record stored twice changes
 * nothing (exactly once). Decided apart from the database, so that its rules
 * read, and are tested, on their own.
 */
final class IntakePlan {

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

    /** Where a recipient went, as the ledger's route column says it. */
    enum Route {
        LOCAL("local"), REMOTE("remote"), UNKNOWN_USER("unknown-user"),
        /** An address the model refuses, in a record queued before it: bounced (BAD_ADDRESS). */
        REFUSED("refused");

        final String column;

        Route(String column) {
            this.column = column;
        }
    }

    /** A message to store, with the octets to store: signed already where it is signed. */
    record Message(Envelope envelope, byte[] content) {
    }

    /** A mailbox entry: the message's body is found by its queue id. */
    record MailboxRow(long accountId, String queueId) {
    }

    /** A delivery-queue row; {@code error} is null for a recipient queued for relay. */
    record QueueRow(String queueId, Envelope.Recipient recipient, String domain, String state, SmtpReply error) {
    }

    record LedgerRow(String queueId, String recipient, Route route) {
    }

    private final List<Message> bodies = new ArrayList<>();
    private final List<MailboxRow> mailboxEntries = new ArrayList<>();
    private final List<QueueRow> queueRows = new ArrayList<>();
    private final List<LedgerRow> ledgerRows = new ArrayList<>();
    private final List<Intake.Result> results = new ArrayList<>();

    /**
     * @param handled  the ledger's rows for these messages' queue ids, as {@link #ledgerKey(String, String)}
     * @param accounts the ids of the accounts of {@link #mailboxes}, by address; an address missing is an unknown user
     */
    static IntakePlan of(List<Message> messages, Set<String> handled, Map<String, Long> accounts, LocalDomains localDomains) {
        IntakePlan plan = new IntakePlan();
        Set<String> seen = new HashSet<>(handled);
        for (Message message : messages) {
            plan.results.add(plan.add(message, seen, accounts, localDomains));
        }
        return plan;
    }

    /** The local mailboxes that these messages' recipients name: the accounts to look up. */
    static List<String> mailboxes(List<Envelope> envelopes, LocalDomains localDomains) {
        Set<String> mailboxes = new LinkedHashSet<>();
        for (Envelope envelope : envelopes) {
            for (Envelope.Recipient recipient : envelope.recipients()) {
                address(recipient).flatMap(localDomains::mailboxOf).ifPresent(mailboxes::add);
            }
        }
        return List.copyOf(mailboxes);
    }

    /** Whether a message is a local user's relayed mail, signed before it is stored (only such mail has remote recipients). */
    static boolean relayed(Envelope envelope, LocalDomains localDomains) {
        return envelope.authUser().isPresent() && envelope.recipients().stream()
                .anyMatch(r -> address(r).filter(a -> localDomains.mailboxOf(a).isEmpty()).isPresent());
    }

    /** How the ledger names a recipient of a message. */
    static String ledgerKey(String queueId, String recipient) {
        return queueId + ' ' + recipient;
    }

    List<Message> bodies() {
        return bodies;
    }

    List<MailboxRow> mailboxEntries() {
        return mailboxEntries;
    }

    List<QueueRow> queueRows() {
        return queueRows;
    }

    List<LedgerRow> ledgerRows() {
        return ledgerRows;
    }

    List<Intake.Result> results() {
        return results;
    }

    private Intake.Result add(Message message, Set<String> seen, Map<String, Long> accounts, LocalDomains localDomains) {
        Envelope envelope = message.envelope();
        Map<String, Envelope.Recipient> fresh = new LinkedHashMap<>();
        for (Envelope.Recipient recipient : envelope.recipients()) {
            String key = ledgerRecipient(recipient);
            if (seen.add(ledgerKey(envelope.queueId(), key))) {
                fresh.put(key, recipient);
            }
        }
        if (fresh.isEmpty()) {
            return new Intake.Result(List.of(), 0, List.of(), Map.of(), true);
        }
        bodies.add(message);
        Set<Long> holding = new HashSet<>();
        List<String> delivered = new ArrayList<>();
        int queued = 0;
        List<String> unknown = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (Map.Entry<String, Envelope.Recipient> entry : fresh.entrySet()) {
            Envelope.Recipient given = entry.getValue();
            Route route;
            MailAddress recipient;
            try {
                recipient = MailAddress.parse(given.address());
            } catch (AddressException e) {
                SmtpReply reply = e.kind() == AddressException.Kind.DOMAIN ? BAD_DOMAIN : BAD_ADDRESS;
                SmtpReply refusal = reply.withText(reply.lines().get(0) + ": " + e.getMessage());
                String domain = given.address().substring(given.address().lastIndexOf('@') + 1);
                queueRows.add(new QueueRow(envelope.queueId(), given, domain, DeliveryQueue.FAILED, refusal));
                refused.put(given.address(), refusal.enhanced());
                ledgerRows.add(new LedgerRow(envelope.queueId(), entry.getKey(), Route.REFUSED));
                continue;
            }
            Optional<String> mailbox = localDomains.mailboxOf(recipient);
            if (mailbox.isEmpty()) {
                queueRows.add(new QueueRow(envelope.queueId(), given, recipient.domain(), DeliveryQueue.QUEUED, null));
                route = Route.REMOTE;
                queued++;
            } else if (accounts.containsKey(mailbox.get())) {
                long account = accounts.get(mailbox.get());
                // two addresses of one mailbox (postmaster@ each domain) get one copy
                if (holding.add(account)) {
                    mailboxEntries.add(new MailboxRow(account, envelope.queueId()));
                }
                delivered.add(given.address());
                route = Route.LOCAL;
                // RFC 3461 section 6.2: a "delivered" report, never to the null reverse-path
                if (!envelope.reversePath().isEmpty() && Bouncer.wantsSuccessReport(given.params().get("NOTIFY"))) {
                    queueRows.add(new QueueRow(envelope.queueId(), given, recipient.domain(), DeliveryQueue.DELIVERED, DELIVERED_TO_MAILBOX));
                }
            } else {
                queueRows.add(new QueueRow(envelope.queueId(), given, recipient.domain(), DeliveryQueue.FAILED, NO_SUCH_ACCOUNT));
                route = Route.UNKNOWN_USER;
                unknown.add(given.address());
            }
            ledgerRows.add(new LedgerRow(envelope.queueId(), entry.getKey(), route));
        }
        return new Intake.Result(delivered, queued, unknown, refused, false);
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
    private static String ledgerRecipient(Envelope.Recipient recipient) {
        return address(recipient).map(MailAddress::mailboxKey).orElse(recipient.address().toLowerCase(Locale.ROOT));
    }
}
