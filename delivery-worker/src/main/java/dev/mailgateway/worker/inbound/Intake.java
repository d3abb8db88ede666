package dev.mailgateway.worker.inbound;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.store.Batch;
import dev.mailgateway.worker.signing.RelaySigner;

/**
 * The fast, local work for a group of accepted messages (ARCHITECTURE
 * decision 3), in one transaction: what the ledger and the accounts say is
 * read in one round trip, the rows {@link IntakePlan} decides on are written
 * in the next, each kind of row as one batch, and the commit is shared. So the
 * statements per transaction stay the same from one message to a hundred.
 * Every insert is also safe to run again: a body, a mailbox entry or a queue
 * row that exists (the ledger's rows of it pruned after its retention, and the
 * record read again) is kept, never inserted twice or refused for ever.
 */
@ApplicationScoped
public class Intake {

    /**
     * What one record did, for metrics, events and logs: recipients delivered to mailboxes, queued for relay,
     * unknown, and refused by the address model (with the enhanced status of their bounce).
     */
    public record Result(List<String> delivered, int queued, List<String> unknownUsers, Map<String, String> refused, boolean replay) {
    }

    static final String HANDLED = "select queue_id, recipient from delivery_ledger where queue_id = any($1)";
    static final String ACCOUNTS = "select id, address from account where address = any($1)";
    static final String INSERT_BODY = "insert into message_body"
            + " (queue_id, sender, dsn_ret, dsn_envid, smtputf8, received_at, size_bytes, eight_bit, content)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (queue_id) do nothing";
    static final String INSERT_MAILBOX_ENTRY = "insert into mailbox_entry (account_id, body_id, queue_id, size_bytes)"
            + " select $1, id, queue_id, size_bytes from message_body where queue_id = $2"
            + " on conflict (account_id, queue_id) do nothing";
    static final String INSERT_QUEUE_ROW = "insert into delivery_queue"
            + " (queue_id, body_id, recipient, domain, dsn_notify, dsn_orcpt, state, last_error, status)"
            + " select queue_id, id, $2, $3, $4, $5, $6, $7, $8 from message_body where queue_id = $1"
            + " on conflict (queue_id, recipient) do nothing";
    /** No conflict clause: a ledger row written meanwhile by another worker rolls this transaction back, and its retry skips the recipient. */
    static final String INSERT_LEDGER_ROW = "insert into delivery_ledger (queue_id, recipient, route) values ($1, $2, $3)";

    private final Pool pool;
    private final LocalDomains localDomains;
    private final RelaySigner signer;

    public Intake(Pool pool, LocalDomains localDomains, RelaySigner signer) {
        this.pool = pool;
        this.localDomains = localDomains;
        this.signer = signer;
    }

    /**
     * Stores the messages, in their order, in one transaction; the results are theirs, in the same order.
     * Whatever goes wrong fails the future, never the caller.
     */
    public Future<List<Result>> store(List<Envelope> envelopes, List<byte[]> messages) {
        return Future.succeededFuture().compose(start -> signed(envelopes, messages))
                .compose(plain -> pool.withTransaction(connection -> write(connection, plain)));
    }

    /** The messages to store: a local user's relayed mail signed first, so that every retry and destination sends the same octets. */
    private Future<List<IntakePlan.Message>> signed(List<Envelope> envelopes, List<byte[]> messages) {
        List<Future<byte[]>> contents = new ArrayList<>(envelopes.size());
        for (int i = 0; i < envelopes.size(); i++) {
            Envelope envelope = envelopes.get(i);
            contents.add(IntakePlan.relayed(envelope, localDomains)
                    ? signer.sign(messages.get(i), envelope.authUser().get())
                    : Future.succeededFuture(messages.get(i)));
        }
        return Future.all(contents).map(all -> {
            List<IntakePlan.Message> signed = new ArrayList<>(envelopes.size());
            for (int i = 0; i < envelopes.size(); i++) {
                signed.add(new IntakePlan.Message(envelopes.get(i), contents.get(i).result()));
            }
            return signed;
        });
    }

    private Future<List<Result>> write(SqlConnection connection, List<IntakePlan.Message> messages) {
        List<Envelope> envelopes = messages.stream().map(IntakePlan.Message::envelope).toList();
        String[] queueIds = envelopes.stream().map(Envelope::queueId).distinct().toArray(String[]::new);
        List<String> mailboxes = IntakePlan.mailboxes(envelopes, localDomains);
        // both reads go out together; the writes follow in one go, the bodies first, since the rows after them find theirs by queue id
        Future<RowSet<Row>> handled = connection.preparedQuery(HANDLED).execute(Tuple.tuple().addArrayOfString(queueIds));
        Future<RowSet<Row>> accounts = mailboxes.isEmpty() ? Future.succeededFuture()
                : connection.preparedQuery(ACCOUNTS).execute(Tuple.tuple().addArrayOfString(mailboxes.toArray(String[]::new)));
        return Future.all(handled, accounts).compose(read -> {
            IntakePlan plan = IntakePlan.of(messages, ledgerKeys(handled.result()), accountIds(accounts.result()), localDomains);
            // each kind of row in key order: two workers storing the same records in different groups (while a
            // partition moves between them) then wait for each other's keys in one order, and never deadlock
            return Future.all(List.of(
                    Batch.execute(connection, INSERT_BODY, tuples(plan.bodies(), BODY_ORDER, Intake::bodyTuple)),
                    Batch.execute(connection, INSERT_MAILBOX_ENTRY, tuples(plan.mailboxEntries(), MAILBOX_ORDER,
                            row -> Tuple.of(row.accountId(), row.queueId()))),
                    Batch.execute(connection, INSERT_QUEUE_ROW, tuples(plan.queueRows(), QUEUE_ORDER, Intake::queueTuple)),
                    Batch.execute(connection, INSERT_LEDGER_ROW, tuples(plan.ledgerRows(), LEDGER_ORDER,
                            row -> Tuple.of(row.queueId(), row.recipient(), row.route().column)))))
                    .map(written -> plan.results());
        });
    }

    private static Set<String> ledgerKeys(RowSet<Row> rows) {
        Set<String> keys = new HashSet<>();
        rows.forEach(row -> keys.add(IntakePlan.ledgerKey(row.getString(0), row.getString(1))));
        return keys;
    }

    private static Map<String, Long> accountIds(RowSet<Row> rows) {
        Map<String, Long> ids = new HashMap<>();
        if (rows != null) {
            rows.forEach(row -> ids.put(row.getString(1), row.getLong(0)));
        }
        return ids;
    }

    private static final Comparator<IntakePlan.Message> BODY_ORDER = Comparator.comparing(message -> message.envelope().queueId());
    private static final Comparator<IntakePlan.MailboxRow> MAILBOX_ORDER =
            Comparator.comparingLong(IntakePlan.MailboxRow::accountId).thenComparing(IntakePlan.MailboxRow::queueId);
    private static final Comparator<IntakePlan.QueueRow> QUEUE_ORDER =
            Comparator.comparing(IntakePlan.QueueRow::queueId).thenComparing(row -> row.recipient().address());
    private static final Comparator<IntakePlan.LedgerRow> LEDGER_ORDER =
            Comparator.comparing(IntakePlan.LedgerRow::queueId).thenComparing(IntakePlan.LedgerRow::recipient);

    private static <T> List<Tuple> tuples(List<T> rows, Comparator<T> keyOrder, Function<T, Tuple> tuple) {
        return rows.stream().sorted(keyOrder).map(tuple).toList();
    }

    private static Tuple bodyTuple(IntakePlan.Message message) {
        Envelope envelope = message.envelope();
        byte[] content = message.content();
        return Tuple.tuple().addString(envelope.queueId()).addString(envelope.reversePath())
                .addString(envelope.mailParams().get("RET")).addString(envelope.mailParams().get("ENVID"))
                .addBoolean(envelope.smtpUtf8()).addOffsetDateTime(envelope.receivedAt().atOffset(ZoneOffset.UTC))
                .addLong((long) content.length).addBoolean(hasEightBitOctets(content)).addBuffer(Buffer.buffer(content));
    }

    private static Tuple queueTuple(IntakePlan.QueueRow row) {
        Envelope.Recipient recipient = row.recipient();
        return Tuple.tuple().addString(row.queueId()).addString(recipient.address()).addString(row.domain())
                .addString(recipient.params().get("NOTIFY")).addString(recipient.params().get("ORCPT")).addString(row.state())
                .addString(row.error() == null ? null : row.error().summary())
                .addString(row.error() == null ? null : row.error().enhanced());
    }

    /** Any octet above 127: a next hop must offer 8BITMIME (RFC 6152). Found here once, as the relay streams the content. */
    static boolean hasEightBitOctets(byte[] message) {
        for (byte octet : message) {
            if (octet < 0) {
                return true;
            }
        }
        return false;
    }
}
