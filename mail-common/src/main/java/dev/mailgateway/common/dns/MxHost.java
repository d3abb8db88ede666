package dev.mailgateway.common.dns;

/**
 * One MX record (RFC 1035 section 3.3.9).
 *
 * @param preference lower is preferred (RFC 5321 section 5.1)
 * @param exchange the host, lower case, without the trailing dot; "" for the root (a null MX, RFC 7505)
 */
public record MxHost(int preference, String exchange) {
}
