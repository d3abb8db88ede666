package dev.mailgateway.common.auth.dkim;

/**
 * A tag list, a {@code DKIM-Signature} field, a key record or a message that
 * DKIM cannot work with: malformed, over one of this package's limits, or
 * using what RFC 6376 and RFC 8301 do not allow. A verifier reports it as
 * {@code permerror} with the message as its reason, so the message names
 * what was wrong and never echoes the hostile input back.
 *
 * <p>Not an {@link IllegalArgumentException}: code catching that around a
 * JDK call (Base64, key decoding) would otherwise swallow this package's own
 * refusals and replace their reasons.
 */
public final class DkimFormatException extends RuntimeException {

    public DkimFormatException(String reason) {
        super(reason);
    }
}
