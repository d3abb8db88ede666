package dev.mailgateway.common.auth.dkim;

/**
 * A tag list, a {@code DKIM-Signature} field, a key record or a message that
 * DKIM cannot work with: malformed, over one of this package's limits, or
 * using what RFC 6376 and RFC 8301 do not allow. A verifier reports it as
 * {@code permerror} with the message as its reason, so the message names
 * what was wrong and never echoes the hostile input back.
 */
public final class DkimFormatException extends IllegalArgumentException {

    public DkimFormatException(String reason) {
        super(reason);
    }
}
