package dev.mailgateway.common.address;

import java.util.Locale;

/**
 * A mailbox of RFC 5321 section 4.1.2: {@code local-part@domain}. The domain is
 * kept lower-case (domains compare case-insensitively); the local part as given.
 */
public record MailAddress(String localPart, String domain) {

    /** RFC 5321 section 4.5.3.1.1: maximum local-part length. */
    public static final int MAX_LOCAL_PART = 64;
    /** RFC 5321 section 4.5.3.1.2: maximum domain length. */
    public static final int MAX_DOMAIN = 255;

    public MailAddress {
        domain = domain.toLowerCase(Locale.ROOT);
    }

    /** The address as mailboxes are keyed: lower-case, since accounts compare case-insensitively. */
    public String mailboxKey() {
        return toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
