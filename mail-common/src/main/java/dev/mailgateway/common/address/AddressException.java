package dev.mailgateway.common.address;

/**
 * An address the gateway refuses, and why: its syntax, or a domain it could
 * not route (no valid A-label form, too long once converted, an address
 * literal). The SMTP replies differ (RFC 3463: X.1.3 for a mailbox's syntax,
 * X.1.2 for the destination system), so the kind travels with the reason.
 */
public final class AddressException extends IllegalArgumentException {

    public enum Kind {
        /** The address does not follow RFC 5321 section 4.1.2, or is too long (section 4.5.3.1). */
        SYNTAX,
        /** The domain cannot be routed: it has no valid A-label form (RFC 5890, 5891), or is a literal. */
        DOMAIN
    }

    private final Kind kind;

    public AddressException(Kind kind, String reason) {
        super(reason);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
