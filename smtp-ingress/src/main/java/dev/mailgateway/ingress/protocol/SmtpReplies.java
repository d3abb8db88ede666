package dev.mailgateway.ingress.protocol;

import dev.mailgateway.common.reply.SmtpReply;

/** Every fixed reply the server sends, with its RFC 3463 enhanced status code. */
public final class SmtpReplies {

    private SmtpReplies() {
    }

    public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
    public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Ok");
    public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Ok");
    public static final SmtpReply START_DATA = SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>");
    public static final SmtpReply BYE = SmtpReply.of(221, "2.0.0", "Bye");
    public static final SmtpReply CANNOT_VRFY = SmtpReply.of(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static final SmtpReply HELP = SmtpReply.of(214, "2.0.0", "Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");
    public static final SmtpReply READY_FOR_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");
    public static final SmtpReply AUTH_OK = SmtpReply.of(235, "2.7.0", "Authentication successful");

    public static final SmtpReply NOT_RECOGNIZED = SmtpReply.of(500, "5.5.2", "Error: command not recognized");
    public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Error: line too long");
    public static final SmtpReply BAD_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax error in parameters or arguments");
    public static final SmtpReply HELO_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: HELO hostname");
    public static final SmtpReply EHLO_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: EHLO hostname");
    /** A HELO/EHLO name that is not printable ASCII, or too long (HeloName): never echoed. */
    public static final SmtpReply BAD_HELO_NAME = SmtpReply.of(501, "5.5.2", "Helo command rejected: Invalid name");
    public static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>");
    public static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address>");
    public static final SmtpReply BAD_SENDER = SmtpReply.of(501, "5.1.7", "Bad sender address syntax");
    /** RFC 5321 section 3.3 and 4.2.2: 553, mailbox name not allowed; RFC 3463 X.1.3, bad destination mailbox address syntax. */
    public static final SmtpReply BAD_RECIPIENT = SmtpReply.of(553, "5.1.3", "Bad recipient address syntax");
    /** RFC 3463 X.1.2: the part right of the "@" is invalid for mail (no valid A-label form, an address literal). */
    public static final SmtpReply BAD_DESTINATION = SmtpReply.of(553, "5.1.2", "Bad destination system address");
    public static final SmtpReply NO_ARGUMENTS = SmtpReply.of(501, "5.5.4", "Syntax error: no arguments allowed");
    public static final SmtpReply BAD_PARAMETER = SmtpReply.of(501, "5.5.4", "Bad parameter");
    public static final SmtpReply UTF8_NOT_DECLARED = SmtpReply.of(553, "5.6.7", "UTF-8 addresses need SMTPUTF8 on MAIL (RFC 6531)");
    public static final SmtpReply PARAMETER_NOT_IMPLEMENTED = SmtpReply.of(555, "5.5.4", "Unsupported option");

    public static final SmtpReply HELO_FIRST = SmtpReply.of(503, "5.5.1", "Error: send HELO/EHLO first");
    public static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Error: nested MAIL command");
    public static final SmtpReply MAIL_FIRST = SmtpReply.of(503, "5.5.1", "Error: need MAIL command");
    public static final SmtpReply BDAT_IN_PROGRESS = SmtpReply.of(503, "5.5.1", "Error: BDAT transaction in progress, DATA not allowed");
    public static final SmtpReply BDAT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
    public static final SmtpReply RCPT_FIRST = SmtpReply.of(503, "5.5.1", "Error: need RCPT command");

    public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Error: command not implemented");
    public static final SmtpReply TLS_ACTIVE = SmtpReply.of(554, "5.5.1", "Error: TLS already active");
    public static final SmtpReply ALREADY_AUTHENTICATED = SmtpReply.of(503, "5.5.1", "Error: already authenticated");
    public static final SmtpReply AUTH_IN_TRANSACTION = SmtpReply.of(503, "5.5.1", "Error: MAIL transaction in progress");
    public static final SmtpReply EHLO_FIRST = SmtpReply.of(503, "5.5.1", "Error: send EHLO first");
    public static final SmtpReply ENCRYPTION_REQUIRED = SmtpReply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final SmtpReply AUTH_FAILED = SmtpReply.of(535, "5.7.8", "Error: authentication failed");
    /** An AUTH identity with a control character, or longer than any account (SaslPlain.isIdentity). */
    public static final SmtpReply BAD_IDENTITY = SmtpReply.of(501, "5.5.4", "Error: invalid authentication identity");
    public static final SmtpReply AUTH_UNAVAILABLE = SmtpReply.of(454, "4.7.0", "Temporary authentication failure");
    public static final SmtpReply AUTH_REQUIRED = SmtpReply.of(530, "5.7.0", "Authentication required");
    public static final SmtpReply SENDER_NOT_OWNED = SmtpReply.of(553, "5.7.1", "Sender address rejected: not owned by user");

    public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Error: too many recipients");
    public static final SmtpReply UNKNOWN_USER = SmtpReply.of(550, "5.1.1", "Recipient address rejected: User unknown");
    public static final SmtpReply RELAY_DENIED = SmtpReply.of(554, "5.7.1", "Relay access denied");
    public static final SmtpReply LOOKUP_FAILED = SmtpReply.of(451, "4.3.0", "Temporary lookup failure, try again later");
    public static final SmtpReply SIZE_EXCEEDED = SmtpReply.of(552, "5.3.4", "Error: message size exceeds fixed limit");
    /** RFC 3463 4.3.1: the heap for message bytes stayed full for longer than a session may wait. */
    public static final SmtpReply INSUFFICIENT_STORAGE = SmtpReply.of(452, "4.3.1", "Error: insufficient system storage, try again later");
    public static final SmtpReply MAILBOX_FULL = SmtpReply.of(452, "4.2.2", "Mailbox full");
    public static final SmtpReply BARE_LINE_BREAK = SmtpReply.of(554, "5.6.0", "Error: bare CR or LF in message data (RFC 5321 section 2.3.8)");
    public static final SmtpReply TEXT_LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Error: message line too long (RFC 5321 section 4.5.3.1.6)");
    public static final SmtpReply TOO_MANY_HOPS = SmtpReply.of(554, "5.4.6", "Error: too many hops, a mail loop?");
    public static final SmtpReply QUEUE_FAILED = SmtpReply.of(451, "4.3.0", "Error: queue write failed, try again later");
}
