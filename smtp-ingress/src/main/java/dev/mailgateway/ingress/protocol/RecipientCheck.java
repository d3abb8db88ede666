package dev.mailgateway.ingress.protocol;

import io.vertx.core.Future;

import dev.mailgateway.common.address.MailAddress;

/** Decides at RCPT time whether a recipient may be given to us; carried out by the policy layer. */
public interface RecipientCheck {

    enum Verdict {
        /** A local mailbox that exists, or a relay the client may use. */
        ACCEPT,
        /** A local domain without such a mailbox: refused now, never bounced later. */
        UNKNOWN_USER,
        /** Not a local domain, and the client may not relay. */
        RELAY_DENIED,
        /** The mailbox's usage reached its quota, or the declared SIZE would pass it. */
        OVER_QUOTA
    }

    /**
     * @param authenticated the client passed AUTH, so it may relay
     * @param declaredSize the SIZE that MAIL announced (RFC 1870), 0 when none
     * Fails when the answer cannot be known now (database unreachable): the client hears 451.
     */
    Future<Verdict> check(MailAddress recipient, boolean authenticated, long declaredSize);
}
