package dev.mailgateway.pop3.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.vertx.core.Future;

import dev.mailgateway.common.account.SaslPlain;
import dev.mailgateway.common.account.SaslResponse;
import dev.mailgateway.common.server.ClientText;
import dev.mailgateway.common.server.CommandCounts;
import dev.mailgateway.common.codec.LineDecoder.Line;

/**
 * One POP3 session on the server side (RFC 1939, CAPA and response codes of
 * RFC 2449 and RFC 3206): AUTHORIZATION, TRANSACTION, then UPDATE on QUIT.
 * Knows no sockets and no database: its {@link Backends} check logins, hold
 * the maildrop lease and keep the messages.
 * Deletions are only marks until QUIT; a dropped connection deletes nothing.
 * Security-sensitive: every byte comes from the network, passwords included
 * (never logged).
 */
public final class Pop3Session {

    private static final Logger LOG = Logger.getLogger(Pop3Session.class);

    public enum State {
        AUTHORIZATION, TRANSACTION, CLOSED
    }

    /**
     * What the connection offers before login.
     *
     * @param plaintextAllowed USER/PASS and AUTH may be used: the connection is secure
     *        (TLS, or loopback) or pop3.allow-plaintext-auth says so
     * @param stlsOffered      a plaintext connection of a server with a key pair: STLS upgrades it
     * @param apopOffered      pop3.apop.key is set: the greeting carries an APOP challenge
     */
    public record Offer(boolean plaintextAllowed, boolean stlsOffered, boolean apopOffered) {
    }

    /** How a check of credentials ended: the login metrics and the failed-login delay use it. */
    public enum LoginResult {
        SUCCESS, FAILURE, IN_USE, UNAVAILABLE
    }

    /** One check of credentials (PASS, AUTH or APOP) and the name it was for. */
    public record LoginAttempt(String user, LoginResult result) {
    }

    /**
     * What a session works on, one concern each: who may log in, the lease
     * that keeps other sessions off the maildrop, and the messages in it.
     */
    public record Backends(Logins logins, MaildropLease lease, MessageStore store) {
    }

    /** RFC 2449 section 4: a command line is at most 255 octets, CRLF included. */
    public static final int MAX_COMMAND_LINE = 255;

    private final String hostname;
    private boolean plaintextAllowed;
    private boolean stlsOffered;
    private boolean tlsRequested;
    private boolean awaitingSaslResponse;
    private LoginAttempt loginAttempt;
    private final Optional<ApopChallenge> apopChallenge;
    private final Logins logins;
    private final MaildropLease lease;
    private final MessageStore store;
    private final ReadAhead readAhead;
    private final CommandCounts commandCounts = new CommandCounts();

    private State state = State.AUTHORIZATION;
    private String user;
    private long accountId;
    /** This session's name on the maildrop lock. */
    private final String lockOwner = java.util.UUID.randomUUID().toString();
    private boolean locked;
    /** Set when a renewal found the lock gone or failed: the answer to the next command, which ends the session. */
    private Pop3Response lockLost;
    private List<MessageStore.Entry> messages = List.of();
    private boolean[] deleted = new boolean[0];

    public Pop3Session(String hostname, Offer offer, Backends backends, ReadAhead.Budget readAheadBudget) {
        this.hostname = hostname;
        this.plaintextAllowed = offer.plaintextAllowed();
        this.stlsOffered = offer.stlsOffered();
        this.apopChallenge = offer.apopOffered() ? Optional.of(ApopChallenge.issue(hostname)) : Optional.empty();
        this.logins = backends.logins();
        this.lease = backends.lease();
        this.store = backends.store();
        this.readAhead = new ReadAhead(store, readAheadBudget);
    }

    /**
     * True once, right after the +OK to STLS: the connection then drops what the
     * client sent after STLS and starts the TLS handshake (RFC 2595 section 4).
     */
    public boolean takeTlsRequest() {
        boolean requested = tlsRequested;
        tlsRequested = false;
        return requested;
    }

    public State state() {
        return state;
    }

    public Pop3Response greeting() {
        return Pop3Response.ok(hostname + " POP3 server ready" + apopChallenge.map(c -> " " + c.timestamp()).orElse(""));
    }

    /** The check of credentials the last command made, once; empty when it made none. */
    public Optional<LoginAttempt> takeLoginAttempt() {
        Optional<LoginAttempt> attempt = Optional.ofNullable(loginAttempt);
        loginAttempt = null;
        return attempt;
    }

    public Future<Pop3Response> command(Line line) {
        if (awaitingSaslResponse) {
            // RFC 5034 section 4: the line after "+ " is the client's response, not a command
            awaitingSaslResponse = false;
            return line.tooLong() ? done(Pop3Responses.LINE_TOO_LONG) : saslResponse(line.text());
        }
        if (line.tooLong()) {
            count("unknown");
            return done(Pop3Responses.LINE_TOO_LONG);
        }
        String text = line.text();
        int space = text.indexOf(' ');
        String word = space < 0 ? text : text.substring(0, space);
        String argument = space < 0 ? "" : text.substring(space + 1);
        Optional<Pop3Verb> verb = Pop3Verb.of(word);
        count(verb.map(v -> v.name().toLowerCase(Locale.ROOT)).orElse("unknown"));
        if (state == State.TRANSACTION && lockLost != null) {
            // two sessions must never both act on one maildrop: this one ends without the UPDATE state
            state = State.CLOSED;
            return done(lockLost);
        }
        if (verb.isEmpty()) {
            return done(Pop3Responses.UNKNOWN_COMMAND);
        }
        Pop3Verb v = verb.get();
        if (state == State.AUTHORIZATION ? !v.inAuthorization : !v.inTransaction) {
            return done(Pop3Responses.WRONG_STATE);
        }
        return switch (v) {
            case CAPA -> done(capabilities());
            case STLS -> done(startTls());
            case USER -> done(user(argument.strip()));
            case PASS -> pass(argument);
            case APOP -> apop(argument.strip());
            case AUTH -> auth(argument.strip());
            case QUIT -> quit();
            case STAT -> done(Pop3Response.ok(liveCount() + " " + liveOctets()));
            case LIST -> done(listing(argument, "messages", entry -> String.valueOf(entry.size())));
            case UIDL -> done(listing(argument, "unique-id listing follows", MessageStore.Entry::uid));
            case RETR -> done(retrieve(argument));
            case TOP -> done(top(argument));
            case DELE -> done(delete(argument));
            case NOOP -> done(Pop3Responses.NOOP);
            case RSET -> {
                deleted = new boolean[messages.size()];
                yield done(maildropStatus());
            }
        };
    }

    private Pop3Response capabilities() {
        List<String> lines = new ArrayList<>();
        if (stlsOffered) {
            lines.add("STLS");
        }
        if (plaintextAllowed) {
            lines.add("USER");
            lines.add("SASL PLAIN");
        }
        lines.addAll(List.of("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER", "IMPLEMENTATION mail-gateway"));
        return new Pop3Response.Lines("+OK Capability list follows", lines);
    }

    private Pop3Response startTls() {
        if (!stlsOffered) {
            return Pop3Responses.STLS_NOT_AVAILABLE;
        }
        // RFC 2595 section 4: after the handshake the session starts over as a secure one, STLS no more offered
        stlsOffered = false;
        tlsRequested = true;
        plaintextAllowed = true;
        user = null;
        return Pop3Responses.BEGIN_TLS;
    }

    private Pop3Response user(String name) {
        if (!plaintextAllowed) {
            return Pop3Responses.PLAINTEXT_NOT_ALLOWED;
        }
        if (name.isEmpty() || name.contains(" ")) {
            return Pop3Responses.USER_SYNTAX;
        }
        user = name;
        return Pop3Responses.SEND_PASS;
    }

    private Future<Pop3Response> pass(String password) {
        if (user == null) {
            return done(Pop3Responses.USER_FIRST);
        }
        String name = user;
        user = null;
        return login(name, password);
    }

    /** AUTH mechanism [initial-response] (RFC 5034) with PLAIN (RFC 4616), the one mechanism offered. */
    private Future<Pop3Response> auth(String argument) {
        if (!plaintextAllowed) {
            return done(Pop3Responses.AUTH_NEEDS_TLS);
        }
        String[] words = argument.split(" ");
        if (words[0].isEmpty() || words.length > 2) {
            return done(Pop3Responses.AUTH_SYNTAX);
        }
        if (!words[0].equalsIgnoreCase("PLAIN")) {
            return done(Pop3Responses.UNSUPPORTED_MECHANISM);
        }
        if (words.length == 1) {
            awaitingSaslResponse = true;
            // PLAIN's challenge is empty
            return done(new Pop3Response.Single("+ "));
        }
        return saslResponse(words[1]);
    }

    private Future<Pop3Response> saslResponse(String line) {
        SaslResponse response = SaslResponse.of(line);
        return switch (response.kind()) {
            case CANCELLED -> done(Pop3Responses.AUTH_CANCELLED);
            case UNDECODABLE -> done(Pop3Responses.BAD_BASE64);
            case DECODED -> plainLogin(response.text());
        };
    }

    private Future<Pop3Response> plainLogin(String decoded) {
        Optional<SaslPlain.Identity> identity;
        try {
            identity = SaslPlain.identity(decoded);
        } catch (IllegalArgumentException e) {
            // no identity (a control character, over 255 octets): refused as a failed login, never looked up
            identity = Optional.empty();
        }
        return identity.map(id -> login(id.user(), id.password()))
                .orElseGet(() -> done(Pop3Responses.AUTH_FAILED));
    }

    /** APOP name digest (RFC 1939 section 7): the password never crosses the wire, so it needs no TLS. */
    private Future<Pop3Response> apop(String argument) {
        if (apopChallenge.isEmpty()) {
            return done(Pop3Responses.APOP_NOT_AVAILABLE);
        }
        String[] words = argument.split(" +");
        if (words.length != 2 || !ApopChallenge.isDigest(words[1])) {
            return done(Pop3Responses.APOP_SYNTAX);
        }
        String name = words[0];
        return logins.apopAccount(name)
                .compose(account -> {
                    if (account.isEmpty()) {
                        attempted(name, LoginResult.FAILURE);
                        return done(Pop3Responses.APOP_NOT_ENABLED);
                    }
                    if (!apopChallenge.get().answeredBy(words[1], account.get().secret())) {
                        attempted(name, LoginResult.FAILURE);
                        return done(Pop3Responses.AUTH_FAILED);
                    }
                    return openMaildrop(name, account.get().id());
                })
                .otherwise(e -> unavailable(name, e));
    }

    private Future<Pop3Response> login(String name, String password) {
        return logins.login(name, password)
                .compose(account -> {
                    if (account.isEmpty()) {
                        attempted(name, LoginResult.FAILURE);
                        return done(Pop3Responses.AUTH_FAILED);
                    }
                    return openMaildrop(name, account.get());
                })
                .otherwise(e -> unavailable(name, e));
    }

    /** Takes the maildrop's lock and reads its listing: the move to TRANSACTION. */
    private Future<Pop3Response> openMaildrop(String name, long account) {
        return lease.lock(account, lockOwner).compose(gotLock -> {
            if (!gotLock) {
                attempted(name, LoginResult.IN_USE);
                return done(Pop3Responses.MAILDROP_IN_USE);
            }
            accountId = account;
            locked = true;
            return store.list(accountId).map(entries -> {
                messages = List.copyOf(entries);
                deleted = new boolean[messages.size()];
                state = State.TRANSACTION;
                attempted(name, LoginResult.SUCCESS);
                return maildropStatus();
            }).onFailure(e -> release());
        });
    }

    private Pop3Response unavailable(String name, Throwable cause) {
        LOG.warnf("login of %s: mail store unavailable: %s", ClientText.loggable(name), cause.toString());
        attempted(name, LoginResult.UNAVAILABLE);
        return Pop3Responses.STORE_UNAVAILABLE;
    }

    private void attempted(String name, LoginResult result) {
        loginAttempt = new LoginAttempt(name, result);
    }

    private Future<Pop3Response> quit() {
        State was = state;
        state = State.CLOSED;
        List<MessageStore.Entry> marked = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            if (deleted[i]) {
                marked.add(messages.get(i));
            }
        }
        if (was == State.AUTHORIZATION || marked.isEmpty()) {
            return release().map(Pop3Response.ok(hostname + " POP3 server signing off"));
        }
        // RFC 1939 section 6: the UPDATE state, only while the lock is still ours; then the maildrop is free again
        return store.delete(accountId, lockOwner, marked)
                .map(held -> held ? Pop3Response.ok(hostname + " POP3 server signing off (" + liveCount() + " messages left)") : Pop3Responses.LOCK_TAKEN)
                .otherwise(Pop3Responses.DELETIONS_FAILED)
                .compose(response -> release().map(response));
    }

    /**
     * Keeps the maildrop lock alive; the connection calls it while the session
     * lasts. A lock found taken over, or not renewed, ends the session at its
     * next command. Never fails.
     */
    public Future<Void> renewLock() {
        if (!locked || lockLost != null) {
            return Future.succeededFuture();
        }
        return lease.renew(accountId, lockOwner).<Void>map(held -> {
            if (!held) {
                LOG.warnf("account %d: maildrop lock taken over by another session", accountId);
                lockLost = Pop3Responses.LOCK_TAKEN;
            }
            return null;
        }).otherwise(e -> {
            LOG.warnf("account %d: maildrop lock not renewed: %s", accountId, e.toString());
            lockLost = Pop3Responses.LOCK_UNCONFIRMED;
            return null;
        });
    }

    /** Frees the maildrop (QUIT, disconnect); a lock that cannot be removed now expires on its own. */
    public Future<Void> release() {
        readAhead.discard();
        if (!locked) {
            return Future.succeededFuture();
        }
        locked = false;
        return lease.unlock(accountId, lockOwner).otherwiseEmpty();
    }

    private Pop3Response listing(String argument, String title, java.util.function.Function<MessageStore.Entry, String> column) {
        if (argument.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                if (!deleted[i]) {
                    lines.add((i + 1) + " " + column.apply(messages.get(i)));
                }
            }
            String status = title.equals("messages") ? liveCount() + " messages (" + liveOctets() + " octets)" : title;
            return new Pop3Response.Lines("+OK " + status, lines);
        }
        int index = messageIndex(argument);
        return index < 0 ? Pop3Responses.NO_SUCH_MESSAGE : Pop3Response.ok((index + 1) + " " + column.apply(messages.get(index)));
    }

    private Pop3Response retrieve(String argument) {
        int index = messageIndex(argument);
        if (index < 0) {
            return Pop3Responses.NO_SUCH_MESSAGE;
        }
        MessageStore.Entry entry = messages.get(index);
        return new Pop3Response.Message("+OK " + entry.size() + " octets", readAhead.source(messages, deleted, index), entry.size());
    }

    /** TOP msg n (RFC 1939 section 7): the headers and the first n body lines, byte-stuffed like RETR. */
    private Pop3Response top(String argument) {
        String[] words = argument.strip().split(" +");
        if (words.length != 2 || !isNumber(words[1])) {
            return Pop3Responses.TOP_SYNTAX;
        }
        int index = messageIndex(words[0]);
        if (index < 0) {
            return Pop3Responses.NO_SUCH_MESSAGE;
        }
        MessageStore.Entry entry = messages.get(index);
        return new Pop3Response.Message("+OK top of message follows",
                new TopSource(readAhead.source(messages, deleted, index), Long.parseLong(words[1])), entry.size());
    }

    private Pop3Response delete(String argument) {
        int index = messageIndex(argument);
        if (index < 0) {
            return Pop3Responses.NO_SUCH_MESSAGE;
        }
        deleted[index] = true;
        return Pop3Response.ok("Message " + (index + 1) + " deleted");
    }

    /** The 0-based index of a live message named by its 1-based number, or -1. */
    private int messageIndex(String argument) {
        String number = argument.strip();
        if (!isNumber(number)) {
            return -1;
        }
        int index = Integer.parseInt(number) - 1;
        return index >= 0 && index < messages.size() && !deleted[index] ? index : -1;
    }

    /** A non-negative decimal that fits an int. */
    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() <= 9 && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private Pop3Response maildropStatus() {
        return Pop3Response.ok("Maildrop has " + liveCount() + " messages (" + liveOctets() + " octets)");
    }

    private int liveCount() {
        int n = 0;
        for (boolean d : deleted) {
            n += d ? 0 : 1;
        }
        return n;
    }

    private long liveOctets() {
        long octets = 0;
        for (int i = 0; i < messages.size(); i++) {
            octets += deleted[i] ? 0 : messages.get(i).size();
        }
        return octets;
    }

    private void count(String verb) {
        commandCounts.count(verb);
    }

    /** What the session did, for the disconnect log line. */
    public String summary() {
        return commandCounts.toString();
    }

    private static Future<Pop3Response> done(Pop3Response response) {
        return Future.succeededFuture(response);
    }
}
