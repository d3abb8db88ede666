package dev.mailgateway.pop3.protocol;

/**
 * The session's fixed single-line responses, with their response code where one applies (RFC 2449's
 * {@code [IN-USE]}, RFC 3206's {@code [AUTH]} and {@code [SYS/TEMP]}), as SmtpReplies holds SMTP's.
 */
public final class Pop3Responses {

    private Pop3Responses() {
    }

    public static final Pop3Response NOOP = Pop3Response.ok("");
    public static final Pop3Response BEGIN_TLS = Pop3Response.ok("Begin TLS negotiation");
    public static final Pop3Response SEND_PASS = Pop3Response.ok("Send PASS");
    /** RFC 2449 section 4: a command line is at most 255 octets. */
    public static final Pop3Response LINE_TOO_LONG = Pop3Response.err("Line too long");
    public static final Pop3Response UNKNOWN_COMMAND = Pop3Response.err("Unknown command");
    public static final Pop3Response WRONG_STATE = Pop3Response.err("Command not valid in this state");
    public static final Pop3Response STLS_NOT_AVAILABLE = Pop3Response.err("STLS not available on this connection");
    public static final Pop3Response PLAINTEXT_NOT_ALLOWED = Pop3Response.err("[AUTH] Plaintext authentication is not allowed on this connection");
    public static final Pop3Response USER_SYNTAX = Pop3Response.err("Syntax: USER name");
    public static final Pop3Response USER_FIRST = Pop3Response.err("Send USER first");
    public static final Pop3Response AUTH_NEEDS_TLS = Pop3Response.err("[AUTH] Authentication needs TLS on this connection (STLS)");
    public static final Pop3Response AUTH_SYNTAX = Pop3Response.err("Syntax: AUTH mechanism [initial-response]");
    public static final Pop3Response UNSUPPORTED_MECHANISM = Pop3Response.err("Unsupported authentication mechanism");
    /** RFC 5034 section 4: the client answered a challenge with "*". */
    public static final Pop3Response AUTH_CANCELLED = Pop3Response.err("Authentication cancelled");
    public static final Pop3Response BAD_BASE64 = Pop3Response.err("Invalid base64 in the authentication response");
    /** RFC 3206: [AUTH], the credentials were refused; the same answer for an unknown name and a wrong secret, whichever way the client logged in. */
    public static final Pop3Response AUTH_FAILED = Pop3Response.err("[AUTH] Authentication failed");
    public static final Pop3Response APOP_NOT_AVAILABLE = Pop3Response.err("APOP is not available on this server");
    public static final Pop3Response APOP_SYNTAX = Pop3Response.err("Syntax: APOP name digest");
    public static final Pop3Response APOP_NOT_ENABLED = Pop3Response.err("[AUTH] APOP is not enabled for this account: use USER/PASS or AUTH");
    /** RFC 2449 section 8.1.1: [IN-USE], another session holds the maildrop. */
    public static final Pop3Response MAILDROP_IN_USE = Pop3Response.err("[IN-USE] Maildrop is in use by another session");
    /** RFC 3206 section 4: [SYS/TEMP], a temporary failure of ours, not the client's: it may try again later. Sent at connect. */
    public static final Pop3Response TOO_MANY_CONNECTIONS = Pop3Response.err("[SYS/TEMP] Too many connections, try again later");
    /**
     * RFC 3206 section 4: [SYS/TEMP], the server is stopping. The session ends
     * without the UPDATE state, so messages marked with DELE stay (RFC 1939 section 6).
     */
    public static final Pop3Response SHUTTING_DOWN = Pop3Response.err("[SYS/TEMP] Server shutting down, nothing deleted");
    /** RFC 3206: [SYS/TEMP], a temporary failure of ours, not the client's. */
    public static final Pop3Response STORE_UNAVAILABLE = Pop3Response.err("[SYS/TEMP] Mail store unavailable, try again later");
    public static final Pop3Response DELETIONS_FAILED = Pop3Response.err("[SYS/TEMP] Some deleted messages not removed");
    public static final Pop3Response TOP_SYNTAX = Pop3Response.err("Syntax: TOP message lines");
    public static final Pop3Response NO_SUCH_MESSAGE = Pop3Response.err("No such message");

    /** RFC 2449 section 8.1.1: another session took the maildrop over (a stall outlived the lease); this one deletes nothing. */
    public static final Pop3Response LOCK_TAKEN = Pop3Response.err("[IN-USE] Maildrop taken over by another session, nothing deleted");
    /** RFC 3206: [SYS/TEMP], the lease could not be renewed, so another session may have the maildrop; nothing deleted. */
    public static final Pop3Response LOCK_UNCONFIRMED = Pop3Response.err("[SYS/TEMP] Maildrop lock could not be renewed, nothing deleted");
}
