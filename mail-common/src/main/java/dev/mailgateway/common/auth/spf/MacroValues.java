package dev.mailgateway.common.auth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * What the macro letters of a domain-spec stand for in one check_host()
 * evaluation (RFC 7208 section 7.2).
 *
 * @param sender {@code %{s}}: the identity checked, {@code postmaster@helo} for the HELO identity
 * @param localPart {@code %{l}}: the sender's local-part, "postmaster" when it has none (section 4.3)
 * @param senderDomain {@code %{o}}: the sender's domain
 * @param domain {@code %{d}}: the domain whose record is evaluated; it changes with include and redirect
 * @param client {@code %{i}} and {@code %{v}}: the SMTP client's address, IPv4-mapped addresses as IPv4
 * @param helo {@code %{h}}: the HELO/EHLO name
 * @param validatedName {@code %{p}}: the client's validated host name (section 5.5), "unknown" without
 *                      one; null until looked up, which an expansion that needs it does first
 */
record MacroValues(String sender, String localPart, String senderDomain, String domain, InetAddress client, String helo,
        String validatedName) {

    MacroValues withDomain(String newDomain) {
        return new MacroValues(sender, localPart, senderDomain, newDomain, client, helo, validatedName);
    }

    MacroValues withValidatedName(String name) {
        return new MacroValues(sender, localPart, senderDomain, domain, client, helo, name);
    }

    /** {@code %{i}}: dotted decimal for IPv4, dot-separated nibbles for IPv6 (section 7.3). */
    String ip() {
        byte[] octets = client.getAddress();
        StringBuilder text = new StringBuilder(64);
        for (byte octet : octets) {
            if (text.length() > 0) {
                text.append('.');
            }
            if (client instanceof Inet4Address) {
                text.append(octet & 0xff);
            } else {
                text.append(Character.forDigit((octet >> 4) & 0xf, 16)).append('.').append(Character.forDigit(octet & 0xf, 16));
            }
        }
        return text.toString();
    }

    /** {@code %{v}}: "in-addr" for IPv4, "ip6" for IPv6 (section 7.3). */
    String version() {
        return client instanceof Inet4Address ? "in-addr" : "ip6";
    }
}
