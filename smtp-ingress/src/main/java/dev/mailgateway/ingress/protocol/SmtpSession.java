package dev.mailgateway.ingress.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.address.MailPath;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.server.CommandCounts;
import dev.mailgateway.common.codec.LineDecoder.Line;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.ingress.protocol.SmtpInputDecoder.DataPiece;

/**
 * One SMTP session on the server side (RFC 5321, with PIPELINING, SIZE,
 * 8BITMIME, ENHANCEDSTATUSCODES, STARTTLS of RFC 3207 and AUTH PLAIN LOGIN of
 * RFC 4954): commands in, replies out. Knows no sockets, Kafka or database:
 * recipients are judged by a {@link RecipientCheck}, credentials by an
 * {@link Authenticator}, messages from strangers on the MTA port by
 * {@link MessageChecks}, and accepted messages handed to a
 * {@link MessageQueue}, whose futures the replies wait for. What a mail
 * transaction gathers, its message bytes included, is its {@link Transaction}'s.
 * Security-sensitive: every byte comes from the network, passwords included
 * (never logged).
 */
public final class SmtpSession {

    public enum State {
        /** Connected, greeted by us, no HELO/EHLO yet. */
        CONNECTED,
        /** HELO/EHLO done: commands, a {@link Transaction} open or not. */
        GREETED,
        /** Between 354 and the end of data. */
        DATA,
        /** Between a BDAT command and the end of its chunk (RFC 3030). */
        BDAT,
        /** QUIT answered: the connection closes. */
        CLOSED
    }

    /**
     * What the session enforces and announces.
     *
     * @param tlsAvailable a key pair is configured: STARTTLS is offered
     * @param allowPlaintextAuth AUTH is offered to non-loopback clients without TLS
     */
    public record Settings(String hostname, String postmasterAddress, long maxMessageSize, int maxRecipients,
            boolean tlsAvailable, boolean allowPlaintextAuth, int maxErrors, int maxHops, int maxLineLength) {
    }

    /** Who is connected, and on which listener. */
    public record Client(String address, Listener listener, boolean loopback) {
    }

    /** RFC 5321 section 4.5.3.1.4 allows 512; SIZE, DSN and AUTH= extend it (CONTRACT.md). */
    public static final int MAX_COMMAND_LINE = 2048;
    /** RFC 4954 section 4: an AUTH line with its initial response, and each response line, up to 12288 octets. */
    public static final int MAX_AUTH_LINE = 12288;


    private final Settings settings;
    private final Client client;
    private final RecipientCheck recipientCheck;
    private final Authenticator authenticator;
    private final MessageChecks checks;
    private final MessageQueue queue;
    private final MessageBudget budget;
    private final Clock clock;
    private final CommandCounts commandCounts = new CommandCounts();

    private State state = State.CONNECTED;
    private String heloName = "";
    private boolean esmtp;
    private boolean secure;
    private boolean tlsRequested;
    private String authUser;
    private SaslExchange sasl;
    private int errors;
    private String lastVerb = "unknown";
    /** The connection is gone (set on its event loop, as every other step of the session). */
    private boolean closed;

    /** From an accepted MAIL to the end of its data; null outside one. */
    private Transaction transaction;
    // the BDAT chunk in progress, read whether or not its command was accepted
    private long chunkRemaining;
    private long chunkSize;
    private boolean lastChunk;
    private SmtpReply chunkRefusal;
    private State stateBeforeChunk;

    public SmtpSession(Settings settings, Client client, RecipientCheck recipientCheck, Authenticator authenticator,
            MessageChecks checks, MessageQueue queue, MessageBudget budget, Clock clock) {
        this.settings = settings;
        this.client = client;
        this.recipientCheck = recipientCheck;
        this.authenticator = authenticator;
        this.checks = checks;
        this.queue = queue;
        this.budget = budget;
        this.clock = clock;
        this.secure = client.listener().implicitTls;
    }

    public State state() {
        return state;
    }

    public SmtpReply greeting() {
        return SmtpReply.of(220, null, settings.hostname() + " ESMTP ready");
    }

    /** The last reply to a client whose DATA or BDAT transaction passed {@code smtp.max-data-time}. */
    public SmtpReply dataDeadlineReply() {
        return SmtpReply.of(421, "4.4.2", settings.hostname() + " Error: message transfer took too long");
    }

    /** The last reply to a client that stayed silent too long (RFC 5321 section 4.5.3.2). */
    public SmtpReply timeoutReply() {
        return SmtpReply.of(421, "4.4.2", settings.hostname() + " Error: timeout exceeded");
    }

    /**
     * Handles one command line; the reply may wait for a recipient lookup or a
     * password check. The error replies of a session are counted: at the limit,
     * the client gets 421 and the session ends.
     */
    public Future<SmtpReply> command(Line line) {
        return handle(line).map(this::countErrors);
    }

    /** True while a message is being received (DATA, or a BDAT transaction): a shutdown lets it finish. */
    public boolean receivingMessage() {
        return state == State.DATA || state == State.BDAT || transaction != null && transaction.chunking();
    }

    private SmtpReply countErrors(SmtpReply reply) {
        if (reply != null && reply.code() >= 400 && ++errors >= settings.maxErrors()) {
            state = State.CLOSED;
            return SmtpReply.of(421, "4.7.0", settings.hostname() + " Error: too many errors");
        }
        return reply;
    }

    private Future<SmtpReply> handle(Line line) {
        if (line.tooLong()) {
            sasl = null;
            count("unknown");
            return done(SmtpReplies.LINE_TOO_LONG);
        }
        if (sasl != null) {
            return saslStep(sasl.respond(line.text()));
        }
        String text = line.text();
        int space = text.indexOf(' ');
        String word = space < 0 ? text : text.substring(0, space);
        String argument = space < 0 ? "" : withoutSpacesAround(text.substring(space + 1));
        Optional<SmtpVerb> verb = SmtpVerb.of(word);
        count(verb.map(SmtpVerb::label).orElse("unknown"));
        if (verb.isEmpty()) {
            return done(SmtpReplies.NOT_RECOGNIZED);
        }
        if (verb.get() != SmtpVerb.AUTH && text.getBytes(StandardCharsets.UTF_8).length + 2 > MAX_COMMAND_LINE) {
            return done(SmtpReplies.LINE_TOO_LONG);
        }
        SmtpReply outOfOrder = outOfOrder(verb.get());
        if (outOfOrder != null && verb.get() != SmtpVerb.BDAT) {
            // a BDAT's chunk follows it whatever the reply (RFC 3030 section 2): bdat() reads it, then refuses
            return done(outOfOrder);
        }
        return switch (verb.get()) {
            case HELO -> done(helo(argument, false));
            case EHLO -> done(helo(argument, true));
            case STARTTLS -> done(startTls(argument));
            case AUTH -> auth(argument);
            case MAIL -> done(mail(argument));
            case RCPT -> rcpt(argument);
            case DATA -> done(data(argument));
            case BDAT -> bdat(argument, outOfOrder);
            case RSET -> done(argument.isEmpty() ? reset(SmtpReplies.OK) : SmtpReplies.NO_ARGUMENTS);
            case NOOP -> done(SmtpReplies.OK);
            case VRFY -> done(SmtpReplies.CANNOT_VRFY);
            case HELP -> done(SmtpReplies.HELP);
            case QUIT -> {
                state = State.CLOSED;
                yield done(SmtpReplies.BYE);
            }
        };
    }

    /** Why {@code verb} cannot come now, for what must come first; null when it may. */
    private SmtpReply outOfOrder(SmtpVerb verb) {
        SmtpReply missing = switch (verb.after) {
            case NOTHING -> null;
            case HELLO -> state == State.CONNECTED ? SmtpReplies.HELO_FIRST : null;
            case EHLO -> state == State.CONNECTED || !esmtp ? SmtpReplies.EHLO_FIRST : null;
            case MAIL -> state == State.CONNECTED ? SmtpReplies.HELO_FIRST : transaction == null ? SmtpReplies.MAIL_FIRST : null;
            case RECIPIENT -> state == State.CONNECTED ? SmtpReplies.HELO_FIRST
                    : transaction == null ? SmtpReplies.MAIL_FIRST
                    : transaction.recipientCount() == 0 ? SmtpReplies.RCPT_FIRST : null;
        };
        if (missing == null && verb.outsideTransaction && transaction != null) {
            return verb == SmtpVerb.MAIL ? SmtpReplies.NESTED_MAIL : SmtpReplies.AUTH_IN_TRANSACTION;
        }
        return missing;
    }

    /**
     * Only SP separates (RFC 5321 section 4.1.1): a TAB or a bare CR at either
     * end stays in the argument, for its parser to refuse, rather than being
     * dropped as white space.
     */
    private static String withoutSpacesAround(String argument) {
        int from = 0;
        int to = argument.length();
        while (from < to && argument.charAt(from) == ' ') {
            from++;
        }
        while (to > from && argument.charAt(to - 1) == ' ') {
            to--;
        }
        return argument.substring(from, to);
    }

    private SmtpReply helo(String argument, boolean extended) {
        if (argument.isEmpty() || argument.contains(" ")) {
            return extended ? SmtpReplies.EHLO_SYNTAX : SmtpReplies.HELO_SYNTAX;
        }
        if (!HeloName.isValid(argument)) {
            return SmtpReplies.BAD_HELO_NAME;
        }
        heloName = argument;
        esmtp = extended;
        // RFC 5321 section 4.1.4: HELO/EHLO resets any transaction
        reset(null);
        state = State.GREETED;
        if (!extended) {
            return SmtpReply.of(250, null, settings.hostname());
        }
        List<String> keywords = new ArrayList<>(List.of(settings.hostname(), "PIPELINING", "SIZE " + settings.maxMessageSize(),
                "8BITMIME", "ENHANCEDSTATUSCODES", "DSN", "SMTPUTF8", "CHUNKING"));
        if (settings.tlsAvailable() && !secure) {
            keywords.add("STARTTLS");
        }
        if (authOffered()) {
            keywords.add("AUTH PLAIN LOGIN");
        }
        return new SmtpReply(250, null, keywords);
    }

    /** AUTH only where passwords cannot be sniffed: TLS or loopback (CONTRACT.md), unless configured otherwise. */
    private boolean authOffered() {
        return secure || client.loopback() || settings.allowPlaintextAuth();
    }

    /**
     * RFC 3207: the 220 goes out in plaintext, then TLS; the session starts over, all earlier
     * knowledge forgotten (section 4.2), an AUTH too. No SASL exchange can be open here: while
     * one is, every line is its response.
     */
    private SmtpReply startTls(String argument) {
        if (!argument.isEmpty()) {
            return SmtpReplies.NO_ARGUMENTS;
        }
        if (secure) {
            return SmtpReplies.TLS_ACTIVE;
        }
        if (!settings.tlsAvailable()) {
            return SmtpReplies.NOT_IMPLEMENTED;
        }
        reset(null);
        state = State.CONNECTED;
        heloName = "";
        esmtp = false;
        authUser = null;
        secure = true;
        tlsRequested = true;
        return SmtpReplies.READY_FOR_TLS;
    }

    /**
     * True once, right after the STARTTLS reply: the connection must drop any
     * input that came with it (pipelined plaintext must not leak into the TLS
     * session, CVE-2011-0411) and start the handshake.
     */
    public boolean takeTlsRequest() {
        boolean requested = tlsRequested;
        tlsRequested = false;
        return requested;
    }

    private Future<SmtpReply> auth(String argument) {
        if (authUser != null) {
            return done(SmtpReplies.ALREADY_AUTHENTICATED);
        }
        if (!authOffered()) {
            return done(SmtpReplies.ENCRYPTION_REQUIRED);
        }
        String[] words = argument.split(" ");
        if (argument.isEmpty() || words.length > 2) {
            return done(SmtpReplies.BAD_SYNTAX);
        }
        SaslExchange exchange = SaslExchange.of(words[0]);
        if (exchange == null) {
            return done(SaslExchange.UNKNOWN_MECHANISM);
        }
        sasl = exchange;
        return saslStep(exchange.start(words.length == 2 ? words[1] : null));
    }

    private Future<SmtpReply> saslStep(SaslExchange.Step step) {
        if (step instanceof SaslExchange.Challenge challenge) {
            return done(SmtpReply.of(334, null, challenge.base64()));
        }
        sasl = null;
        if (step instanceof SaslExchange.Failure failure) {
            return done(failure.reply());
        }
        SaslExchange.Credentials credentials = (SaslExchange.Credentials) step;
        return authenticator.authenticate(client.address(), credentials.user(), credentials.password())
                .map(account -> {
                    if (account.isEmpty()) {
                        return SmtpReplies.AUTH_FAILED;
                    }
                    authUser = account.get();
                    return SmtpReplies.AUTH_OK;
                })
                .otherwise(SmtpReplies.AUTH_UNAVAILABLE);
    }

    private SmtpReply mail(String argument) {
        if (client.listener().authRequired && authUser == null) {
            return SmtpReplies.AUTH_REQUIRED;
        }
        PathArgument parsed = PathArgument.parse(argument, "FROM:");
        if (parsed == null) {
            return SmtpReplies.MAIL_SYNTAX;
        }
        MailPath.Parsed path;
        try {
            path = MailPath.parse(parsed.path());
        } catch (AddressException e) {
            // a domain the worker could not route is refused too: a bounce could never reach it
            return SmtpReplies.BAD_SENDER.withText(SmtpReplies.BAD_SENDER.lines().get(0) + ": " + e.getMessage());
        }
        if (path.postmaster()) {
            return SmtpReplies.BAD_SENDER;
        }
        // parsed into locals, kept only once MAIL is accepted: a refused MAIL leaves nothing behind for the next
        Map<String, String> params = new LinkedHashMap<>();
        SmtpReply refusal = checkParameters(parsed.params(), EsmtpParameters.MAIL, params);
        if (refusal != null) {
            return refusal;
        }
        // SIZE (RFC 1870) serves the checks here and at RCPT; the envelope does not carry it
        String size = params.remove("SIZE");
        long declared = size == null ? 0 : Long.parseLong(size);
        if (declared > settings.maxMessageSize()) {
            return SmtpReplies.SIZE_EXCEEDED;
        }
        // the path as given: the model's form has A-labels, but a U-label needs SMTPUTF8 too (RFC 6531 section 3.2)
        if (!EsmtpParameters.isAscii(parsed.path()) && !params.containsKey("SMTPUTF8")) {
            return SmtpReplies.UTF8_NOT_DECLARED;
        }
        // an authenticated client sends as itself or as <> (bounces), never as someone else
        if (authUser != null && path.address().isPresent() && !path.address().get().mailboxKey().equals(authUser)) {
            return withAddress(SmtpReplies.SENDER_NOT_OWNED, path.address().get());
        }
        transaction = new Transaction(settings, budget, path.address().map(MailAddress::toString).orElse(""), params, declared);
        return SmtpReplies.SENDER_OK;
    }

    /**
     * Checks ESMTP parameters: only those the command takes (anything else was
     * not announced, RFC 5321 section 4.1.1.11), each by its grammar
     * ({@link EsmtpParameters}); normalized into {@code kept}. The refusal, or null.
     */
    private SmtpReply checkParameters(Map<String, String> given, Set<String> taken, Map<String, String> kept) {
        for (Map.Entry<String, String> param : given.entrySet()) {
            if (!esmtp || !taken.contains(param.getKey())) {
                return SmtpReplies.PARAMETER_NOT_IMPLEMENTED;
            }
            String normalized = EsmtpParameters.normalized(param.getKey(), param.getValue());
            if (normalized == null) {
                return SmtpReplies.BAD_PARAMETER.withText("Bad " + param.getKey() + " parameter");
            }
            kept.put(param.getKey(), normalized);
        }
        return null;
    }

    private Future<SmtpReply> rcpt(String argument) {
        PathArgument parsed = PathArgument.parse(argument, "TO:");
        if (parsed == null) {
            return done(SmtpReplies.RCPT_SYNTAX);
        }
        Map<String, String> params = new LinkedHashMap<>();
        SmtpReply refusal = checkParameters(parsed.params(), EsmtpParameters.RCPT, params);
        if (refusal != null) {
            return done(refusal);
        }
        MailPath.Parsed path;
        try {
            path = MailPath.parse(parsed.path());
        } catch (AddressException e) {
            SmtpReply reply = e.kind() == AddressException.Kind.DOMAIN ? SmtpReplies.BAD_DESTINATION : SmtpReplies.BAD_RECIPIENT;
            return done(reply.withText(reply.lines().get(0) + ": " + e.getMessage()));
        }
        if (path.isNull()) {
            return done(SmtpReplies.BAD_RECIPIENT);
        }
        if (!EsmtpParameters.isAscii(parsed.path()) && !transaction.mailParams.containsKey("SMTPUTF8")) {
            return done(SmtpReplies.UTF8_NOT_DECLARED);
        }
        MailAddress recipient = path.postmaster()
                ? MailAddress.parse(settings.postmasterAddress())
                : path.address().orElseThrow();
        String key = recipient.mailboxKey();
        if (transaction.names(key)) {
            // named twice in one transaction: one copy (CONTRACT.md)
            return done(SmtpReplies.RECIPIENT_OK);
        }
        if (transaction.recipientCount() >= settings.maxRecipients()) {
            return done(SmtpReplies.TOO_MANY_RECIPIENTS);
        }
        Transaction asked = transaction;
        return recipientCheck.check(recipient, authUser != null, asked.declaredSize)
                .map(verdict -> switch (verdict) {
                    case ACCEPT -> {
                        asked.addRecipient(key, new Envelope.Recipient(recipient.toString(), params));
                        yield SmtpReplies.RECIPIENT_OK;
                    }
                    case UNKNOWN_USER -> withAddress(SmtpReplies.UNKNOWN_USER, recipient);
                    case RELAY_DENIED -> withAddress(SmtpReplies.RELAY_DENIED, recipient);
                    case OVER_QUOTA -> withAddress(SmtpReplies.MAILBOX_FULL, recipient);
                })
                .otherwise(SmtpReplies.LOOKUP_FAILED);
    }

    private static SmtpReply withAddress(SmtpReply reply, MailAddress recipient) {
        return reply.withText("<" + recipient + ">: " + reply.lines().get(0));
    }

    private SmtpReply data(String argument) {
        if (!argument.isEmpty()) {
            return SmtpReplies.NO_ARGUMENTS;
        }
        if (transaction.chunking()) {
            return SmtpReplies.BDAT_IN_PROGRESS;
        }
        state = State.DATA;
        transaction.startMessage(false);
        return SmtpReplies.START_DATA;
    }

    /** The client went away: whatever it was sending is dropped, and a message still being checked is not queued. */
    public void close() {
        closed = true;
        if (transaction != null) {
            transaction.dropMessage();
        }
    }

    /**
     * BDAT (RFC 3030). The chunk's octets follow the command at once and are
     * always read, even when the command is refused, so they can never be
     * taken for commands; the reply comes after the chunk. A null future
     * result: no reply yet.
     */
    private Future<SmtpReply> bdat(String argument, SmtpReply outOfOrder) {
        String[] words = argument.split(" ");
        boolean last = words.length == 2 && words[1].equalsIgnoreCase("LAST");
        if (argument.isEmpty() || words.length > 2 || (words.length == 2 && !last)
                || words[0].isEmpty() || words[0].length() > 18 || !words[0].chars().allMatch(Character::isDigit)) {
            return done(SmtpReplies.BDAT_SYNTAX);
        }
        chunkSize = Long.parseLong(words[0]);
        chunkRemaining = chunkSize;
        lastChunk = last;
        stateBeforeChunk = state;
        chunkRefusal = outOfOrder;
        if (chunkRefusal == null && !transaction.chunking()) {
            transaction.startMessage(true);
        }
        state = State.BDAT;
        return chunkRemaining == 0 ? endOfChunk() : done(null);
    }

    /** How many octets of the current BDAT chunk are still to come. */
    public long chunkRemaining() {
        return chunkRemaining;
    }

    /** Takes bytes of the current BDAT chunk; completes with the reply once the chunk is complete, else with null. */
    public Future<SmtpReply> chunk(Buffer bytes) {
        chunkRemaining -= bytes.length();
        Future<SmtpReply> taken = chunkRefusal == null ? transaction.append(bytes, false) : Transaction.NO_REPLY;
        return chunkRemaining > 0 ? taken : taken.compose(none -> endOfChunk()).map(this::countErrors);
    }

    private Future<SmtpReply> endOfChunk() {
        if (chunkRefusal != null) {
            state = stateBeforeChunk;
            SmtpReply refusal = chunkRefusal;
            chunkRefusal = null;
            return done(refusal);
        }
        if (!lastChunk) {
            state = State.GREETED;
            return done(SmtpReply.of(250, "2.0.0", chunkSize + " octets received"));
        }
        return endOfData();
    }

    /**
     * Takes one piece of message data. Completes with null while the message
     * goes on; at the end of data, with the reply, which waits for the queue
     * when the message is accepted.
     */
    public Future<SmtpReply> data(DataPiece piece) {
        if (piece.isEndOfData()) {
            return endOfData().map(this::countErrors);
        }
        Buffer bytes = piece.bytes();
        // RFC 5321 section 4.5.2: a leading dot of a line was doubled by the client
        if (piece.startsLine() && bytes.length() > 0 && bytes.getByte(0) == '.') {
            bytes = bytes.slice(1, bytes.length());
        }
        return transaction.append(bytes, piece.endsLine());
    }

    private Future<SmtpReply> endOfData() {
        SmtpReply refusal = transaction.refusal();
        if (refusal != null) {
            return done(reset(refusal));
        }
        String queueId = QueueId.next();
        String reversePath = transaction.reversePath;
        Envelope envelope = new Envelope(queueId, reversePath, transaction.mailParams, List.copyOf(transaction.recipients()), client.address(),
                heloName, Optional.ofNullable(authUser), clock.instant());
        String received = ReceivedHeader.of(envelope, settings.hostname(), esmtp, secure, clock.getZone());
        // the queue holds the bytes until the broker's answer: their room goes back then, not at the reset
        ReceivedMessage queued = transaction.takeMessage();
        reset(null);
        // a stranger's mail on the MTA port is checked; a logged-in user's is not (issue 19)
        Future<MessageChecks.Verdict> verdict = client.listener() == Listener.MTA && authUser == null
                ? check(new MessageChecks.Sender(client.address(), heloName, reversePath), queued)
                : Future.succeededFuture(MessageChecks.Verdict.UNCHECKED);
        return verdict.compose(checked -> {
            if (checked.refusal() != null || closed) {
                // refused; or its client went away during the checks, saw no 250 and keeps its copy to send again
                budget.giveBack(queued.allocated());
                return done(closed ? SmtpReplies.QUEUE_FAILED : checked.refusal());
            }
            queued.setTrace(received + checked.addedFields(), checked.omitted());
            return queue.enqueue(envelope, queued)
                    .onComplete(sent -> budget.giveBack(queued.allocated()))
                    .map(ok -> SmtpReply.of(250, "2.0.0", "Ok: queued as " + queueId))
                    .otherwise(SmtpReplies.QUEUE_FAILED);
        });
    }

    /** The checks' verdict; whatever goes wrong in them, the message goes on unchecked, its bytes' room accounted for. */
    private Future<MessageChecks.Verdict> check(MessageChecks.Sender sender, ReceivedMessage queued) {
        try {
            return checks.check(sender, queued).otherwise(MessageChecks.Verdict.UNCHECKED);
        } catch (RuntimeException e) {
            return Future.succeededFuture(MessageChecks.Verdict.UNCHECKED);
        }
    }

    /** Ends the transaction (RFC 5321 section 4.1.1.5) and answers with {@code reply}. */
    private SmtpReply reset(SmtpReply reply) {
        if (transaction != null) {
            transaction.dropMessage();
            transaction = null;
        }
        if (state != State.CONNECTED && state != State.CLOSED) {
            state = State.GREETED;
        }
        return reply;
    }

    private void count(String verb) {
        lastVerb = verb;
        commandCounts.count(verb);
    }

    /** The verb of the last command, lower-case ("unknown" for anything else); an AUTH exchange's lines count as "auth". */
    public String lastVerb() {
        return lastVerb;
    }

    /** What the session did, for the disconnect log line. */
    public String summary() {
        return commandCounts.toString();
    }

    private static Future<SmtpReply> done(SmtpReply reply) {
        return Future.succeededFuture(reply);
    }
}
