package dev.mailgateway.common.address;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.mailgateway.common.config.MailConfig;

/**
 * Which recipients are ours: the local domains of {@code mail.domains}, and the
 * mailbox each local recipient lands in ({@code postmaster@} any local domain
 * and {@code <Postmaster>} go to the postmaster account, RFC 5321 section 4.5.1).
 */
@ApplicationScoped
public class LocalDomains {

    private final Set<String> domains;
    private final String postmasterMailbox;

    public LocalDomains(MailConfig config) {
        // in the model's form, as recipients' domains are: an IDN may be configured with U-labels or A-labels
        this.domains = config.domains().stream()
                .map(String::trim)
                .filter(d -> !d.isEmpty())
                .map(DomainName::toAscii)
                .collect(Collectors.toUnmodifiableSet());
        this.postmasterMailbox = MailAddress.parse(config.postmaster()
                .orElse("postmaster@" + config.domains().get(0).trim())).mailboxKey();
    }

    /** @param domain in the model's form ({@link MailAddress#domain()}) */
    public boolean isLocal(String domain) {
        return domains.contains(domain);
    }

    public String postmasterMailbox() {
        return postmasterMailbox;
    }

    /** The account key a recipient is delivered to, or empty when it is not local. */
    public Optional<String> mailboxOf(MailAddress recipient) {
        if (!isLocal(recipient.domain())) {
            return Optional.empty();
        }
        if (recipient.localPart().equalsIgnoreCase("postmaster")) {
            return Optional.of(postmasterMailbox);
        }
        return Optional.of(recipient.mailboxKey());
    }

    /** True for a recipient that must always be accepted (RFC 5321 section 4.5.1). */
    public boolean isPostmaster(MailAddress recipient) {
        return isLocal(recipient.domain()) && recipient.localPart().equalsIgnoreCase("postmaster");
    }
}
