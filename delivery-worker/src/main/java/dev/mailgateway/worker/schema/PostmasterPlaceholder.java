package dev.mailgateway.worker.schema;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

import dev.mailgateway.common.address.LocalDomains;

/**
 * Gives Flyway the postmaster's mailbox as {@code ${postmaster}}, for the seed
 * that creates its account after every migration ({@code db/migration/afterMigrate.sql}).
 */
@ApplicationScoped
class PostmasterPlaceholder implements FlywayConfigurationCustomizer {

    private final LocalDomains localDomains;

    PostmasterPlaceholder(LocalDomains localDomains) {
        this.localDomains = localDomains;
    }

    @Override
    public void customize(FluentConfiguration configuration) {
        Map<String, String> placeholders = new HashMap<>(configuration.getPlaceholders());
        placeholders.put("postmaster", sqlLiteral(localDomains.postmasterMailbox()));
        configuration.placeholders(placeholders);
    }

    /** The text between the seed's quotes: an apostrophe is valid in a local part (RFC 5322 atext), and SQL doubles it. */
    static String sqlLiteral(String text) {
        return text.replace("'", "''");
    }
}
