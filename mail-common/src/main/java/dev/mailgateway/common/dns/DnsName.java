package dev.mailgateway.common.dns;

import java.util.Locale;

import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.DomainName;

/**
 * Names as the resolver sends them, from hostile input (a MAIL FROM domain,
 * an SPF macro expansion, a DKIM selector): lower case, no trailing dot,
 * labels of 1 to 63 octets and at most 253 octets in all (RFC 1035 section
 * 2.3.4: 255 on the wire), U-labels as A-labels through {@link DomainName}.
 * ASCII labels may hold any printable character but the dot (RFC 2181
 * section 11), so {@code _dmarc} and {@code _domainkey} pass.
 */
final class DnsName {

    /** RFC 1035 section 2.3.4: 255 octets on the wire, 253 characters written without the trailing dot. */
    static final int MAX_NAME = 253;
    /** RFC 1035 section 2.3.4. */
    static final int MAX_LABEL = DomainName.MAX_LABEL;
    /** Input longer than this is refused before it is split: no U-label expands a name back under the limit. */
    private static final int MAX_INPUT = 4 * MAX_NAME;

    private DnsName() {
    }

    /**
     * The query form of {@code name}.
     *
     * @throws IllegalArgumentException when it is not a name DNS can be asked about
     */
    static String toQuery(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_INPUT) {
            throw new IllegalArgumentException("name empty or over " + MAX_NAME + " octets");
        }
        String relative = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        StringBuilder query = new StringBuilder(relative.length());
        for (String label : relative.split("\\.", -1)) {
            String ascii = label(label);
            query.append(query.length() == 0 ? "" : ".").append(ascii);
            if (query.length() > MAX_NAME) {
                throw new IllegalArgumentException("name over " + MAX_NAME + " octets");
            }
        }
        return query.toString();
    }

    private static String label(String label) {
        if (label.isEmpty()) {
            throw new IllegalArgumentException("empty label");
        }
        if (label.chars().allMatch(c -> c < 0x80)) {
            if (label.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("control character or space in a label");
            }
            if (label.length() > MAX_LABEL) {
                throw new IllegalArgumentException("label over " + MAX_LABEL + " octets");
            }
            return label.toLowerCase(Locale.ROOT);
        }
        try {
            return DomainName.toAscii(label);
        } catch (AddressException e) {
            throw new IllegalArgumentException("IDN label without an A-label form", e);
        }
    }
}
