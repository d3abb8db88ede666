package dev.mailgateway.common.auth.dkim;

import io.vertx.core.Future;

/**
 * Fetches the key record of a signature, without blocking: the DNS TXT
 * record at {@code selector._domainkey.domain} (RFC 6376 section 3.6.2).
 */
@FunctionalInterface
public interface DkimKeyLookup {

    /**
     * @param name {@code selector._domainkey.domain}, without a final dot
     * @return the record's text (its strings joined, section 3.6.2.2), or null when the name has no
     *         TXT record (a permerror); a failed future is DNS trouble (a temperror)
     */
    Future<String> txt(String name);
}
