package dev.mailgateway.common.dns;

import java.util.List;

/**
 * What one DNS lookup found: records, none (the name does not exist, or has
 * no records of the type), a name that cannot be asked about, or a
 * temporary failure. SPF needs the distinctions: NXDOMAIN and no data are
 * both "none" and both count as void lookups (RFC 7208 section 4.6.4); a
 * timeout or SERVFAIL is {@code temperror} (section 2.6.6), never "none".
 *
 * @param result the kind of answer
 * @param records what was found, in the server's order; empty unless {@link Result#FOUND}
 * @param detail why there are no records, for logs and replies; empty when found
 */
public record DnsAnswer<T>(Result result, List<T> records, String detail) {

    public enum Result {
        /** At least one record of the type (RFC 1035 section 4.3.2). */
        FOUND,
        /** The name exists but has no record of the type: NOERROR with an empty answer (RFC 2308 section 2.2). */
        NO_DATA,
        /** The name does not exist (RCODE 3, RFC 2308 section 2.1). */
        NXDOMAIN,
        /** Not a name DNS can be asked about (RFC 1035 section 2.3.4 limits, or an IDN without A-labels); no query was sent. */
        INVALID_NAME,
        /** No server gave an answer: timeout, SERVFAIL, REFUSED, a truncated answer TCP could not complete. */
        TEMPORARY_FAILURE
    }

    public DnsAnswer {
        records = List.copyOf(records);
    }

    static <T> DnsAnswer<T> found(List<T> records) {
        return new DnsAnswer<>(Result.FOUND, records, "");
    }

    static <T> DnsAnswer<T> none(Result result, String detail) {
        return new DnsAnswer<>(result, List.of(), detail);
    }

    /** Records were found. */
    public boolean isFound() {
        return result == Result.FOUND;
    }

    /** NXDOMAIN or no data: a void lookup in RFC 7208 section 4.6.4's sense. */
    public boolean isNone() {
        return result == Result.NXDOMAIN || result == Result.NO_DATA;
    }

    /** A timeout or server failure: worth asking again later, never a "none". */
    public boolean isTemporary() {
        return result == Result.TEMPORARY_FAILURE;
    }
}
