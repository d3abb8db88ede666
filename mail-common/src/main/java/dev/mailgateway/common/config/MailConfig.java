package dev.mailgateway.common.config;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code mail.*} keys of CONTRACT.md, shared by every service. */
@ConfigMapping(prefix = "mail")
public interface MailConfig {

    /** Local domains: mail to them is delivered to mailboxes. */
    @WithDefault("example.test")
    List<String> domains();

    /** Name used in the 220 greeting, EHLO and Received lines. */
    @WithDefault("localhost")
    String hostname();

    /** The account that receives mail for {@code <postmaster>} (RFC 5321 section 4.5.1); default postmaster@first domain. */
    Optional<String> postmaster();

    /** Bearer token of the admin and queue APIs; unset, they refuse every call. */
    Optional<String> adminToken();
}
