package dev.mailgateway.common.auth.dmarc;

import java.util.List;
import java.util.Optional;

import io.vertx.core.Future;

import dev.mailgateway.common.auth.dmarc.DmarcResult.Result;
import dev.mailgateway.common.dns.DnsAnswer;
import dev.mailgateway.common.auth.ParsedRecords;
import dev.mailgateway.common.dns.DnsResolver;

/**
 * Finds the DMARC record that applies to a {@code From:} domain (RFC 7489
 * section 6.6.3): the one at {@code _dmarc.<domain>}, else the one at
 * {@code _dmarc.<organizational domain>}. Two queries at most, so a message
 * costs a bounded number of lookups whatever its domain.
 */
final class PolicyDiscovery {

    /** The record that applies and where it was found, or the result DMARC ends with instead. */
    record Discovered(DmarcRecord record, String domain, Result result, String reason) {

        static Discovered found(DmarcRecord record, String domain) {
            return new Discovered(record, domain, null, null);
        }

        static Discovered noPolicy(Result result, String reason) {
            return new Discovered(null, null, result, reason);
        }
    }

    /** RFC 7489 section 6.1: the record's name is the domain's with this label before it. */
    private static final String PREFIX = "_dmarc.";

    private final DnsResolver resolver;
    /** Records that parsed to a policy; the others are rare and parsed again. */
    private final ParsedRecords<DmarcRecord> parsedRecords = new ParsedRecords<>();

    PolicyDiscovery(DnsResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * @param from and {@code organizational} in lower-case A-labels
     * @return what was found; DNS trouble is a temperror result, so the future fails only on a bug of
     *         ours, which {@link DmarcEvaluator} turns into a result too
     */
    Future<Discovered> discover(String from, String organizational) {
        return at(from).compose(first -> {
            if (first.isPresent() || organizational.equals(from)) {
                return Future.succeededFuture(first.orElseGet(PolicyDiscovery::noRecord));
            }
            return at(organizational).map(second -> second.orElseGet(PolicyDiscovery::noRecord));
        });
    }

    private static Discovered noRecord() {
        return Discovered.noPolicy(Result.NONE, "No DMARC record");
    }

    /** What one name holds: empty when no DMARC record, so the search goes on. */
    private Future<Optional<Discovered>> at(String domain) {
        String name = PREFIX + domain;
        return resolver.txt(name).map(answer -> read(answer, name, domain));
    }

    /**
     * A name too long to ask about ({@link DnsAnswer.Result#INVALID_NAME}) cannot hold a record, like
     * NXDOMAIN; DNS trouble ends the search, as the organizational domain's record must not stand in
     * for one that may exist.
     */
    private Optional<Discovered> read(DnsAnswer<String> answer, String name, String domain) {
        if (answer.isTemporary()) {
            return Optional.of(Discovered.noPolicy(Result.TEMPERROR, "DNS lookup of " + name + " failed"));
        }
        List<String> records = answer.records().stream().filter(DmarcRecord::isDmarcRecord).toList();
        if (records.isEmpty()) {
            return Optional.empty();
        }
        if (records.size() > 1) {
            // section 6.6.3 step 5: several records end discovery, without asking the organizational domain
            return Optional.of(Discovered.noPolicy(Result.NONE, "Several DMARC records at " + name));
        }
        try {
            Optional<DmarcRecord> record = parsed(records.get(0));
            return Optional.of(record.isPresent() ? Discovered.found(record.get(), domain)
                    : Discovered.noPolicy(Result.NONE, "DMARC record at " + name + " has no valid p= and no rua="));
        } catch (DmarcFormatException e) {
            return Optional.of(Discovered.noPolicy(Result.PERMERROR, e.getMessage() + " in the DMARC record at " + name));
        }
    }

    private Optional<DmarcRecord> parsed(String text) {
        return Optional.ofNullable(parsedRecords.parse(text, record -> DmarcRecord.parse(record).orElse(null)));
    }
}
