package dev.mailgateway.worker.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.config.MailConfig;

/** The seed's {@code ${postmaster}}: the configured mailbox, as the text of an SQL string literal. */
class PostmasterPlaceholderTest {

    private static FluentConfiguration customized(Map<String, String> mail) {
        Map<String, String> values = new HashMap<>(Map.of("mail.hostname", "gateway.test"));
        values.putAll(mail);
        LocalDomains localDomains = new LocalDomains(new SmallRyeConfigBuilder()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(values)
                .withMapping(MailConfig.class).build().getConfigMapping(MailConfig.class));
        FluentConfiguration configuration = Flyway.configure().placeholders(Map.of("kept", "yes"));
        new PostmasterPlaceholder(localDomains).customize(configuration);
        return configuration;
    }

    @Test
    void thePostmasterOfTheFirstLocalDomainByDefault() {
        Map<String, String> placeholders = customized(Map.of("mail.domains", "Example.TEST, other.test")).getPlaceholders();
        assertEquals("postmaster@example.test", placeholders.get("postmaster"));
        assertEquals("yes", placeholders.get("kept"), "the placeholders set before stay");
    }

    @Test
    void anApostropheInTheConfiguredMailboxIsDoubledForTheLiteral() {
        assertEquals("o''brien@example.test",
                customized(Map.of("mail.domains", "example.test", "mail.postmaster", "O'Brien@example.test")).getPlaceholders().get("postmaster"));
    }
}
