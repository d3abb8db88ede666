package dev.mailgateway.common.account;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.address.LocalDomains;

/**
 * The postmaster account exists from the first start (RFC 5321 section 4.5.1
 * requires the mailbox), with login disabled until an operator sets its
 * password. Runs after Flyway's migration, in whichever service starts first.
 */
@ApplicationScoped
class PostmasterAccount {

    void create(@Observes StartupEvent event, Pool pool, LocalDomains localDomains) {
        pool.preparedQuery("insert into account (address) values ($1) on conflict (address) do nothing")
                .execute(Tuple.of(localDomains.postmasterMailbox()))
                .await().indefinitely();
    }
}
