package dev.mailgateway.common.health;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Readiness of every service on the database schema: DOWN until Flyway's
 * history holds {@link #REQUIRED_SCHEMA_VERSION}, this release's newest
 * migration (mail-common's {@code db/migration}).
 * <p>
 * Why it is needed: only the delivery-worker runs the migrations (at its
 * start). Flyway, its JDBC driver, their pool and what they pull in are some
 * 2,250 classes and 15-20 MB a JVM that smtp-ingress and pop3-access would
 * carry for the seconds of a start-up, so they leave them out and wait here
 * instead: on a fresh database, or in a rolling update that brings a new
 * migration, they are not ready (a Kubernetes Service sends them nothing)
 * until the worker has migrated. Once reached, the version is kept: Flyway's
 * history only grows, a schema is never migrated back, and an unreachable
 * database is the reactive datasource's own check.
 */
@Readiness
@ApplicationScoped
public class SchemaReadiness implements AsyncHealthCheck {

    /** The newest migration's version; SchemaReadinessTest holds it to the files. */
    public static final int REQUIRED_SCHEMA_VERSION = 15;
    /** Kubernetes' default probe timeout is one second: past this, an answer would come to nobody. */
    static final Duration QUERY_DEADLINE = Duration.ofMillis(900);
    static final String NAME = "database-schema";
    static final String WHO_MIGRATES = "the delivery-worker migrates it at its start";
    /** PostgreSQL's undefined_table: no migration has run on this database yet. */
    private static final String UNDEFINED_TABLE = "42P01";
    /**
     * Whether the required migration succeeded, compared as Flyway writes versions (text), and the newest
     * one that did, for the operator: the history only grows, so a newer schema still holds the required row.
     */
    private static final String MIGRATION_STATE = "select exists(select 1 from flyway_schema_history where success and version = $1),"
            + " (select version from flyway_schema_history where success and version is not null order by installed_rank desc limit 1)";

    private final Pool pool;
    private volatile boolean reached;

    public SchemaReadiness(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (reached) {
            return Uni.createFrom().item(up());
        }
        return Uni.createFrom().completionStage(() -> pool.preparedQuery(MIGRATION_STATE)
                        .execute(Tuple.of(String.valueOf(REQUIRED_SCHEMA_VERSION))).toCompletionStage())
                .ifNoItem().after(QUERY_DEADLINE).fail()
                .map(rows -> judge(rows.iterator().next()))
                .onFailure().recoverWithItem(SchemaReadiness::failed);
    }

    private HealthCheckResponse judge(Row state) {
        if (!state.getBoolean(0)) {
            String newest = state.getString(1);
            return down(newest == null ? "none" : newest, newest == null ? "nothing migrated yet: " + WHO_MIGRATES : WHO_MIGRATES);
        }
        reached = true;
        return up();
    }

    private static HealthCheckResponse failed(Throwable failure) {
        if (notMigrated(failure)) {
            return down("none", "not migrated yet: " + WHO_MIGRATES);
        }
        String error = failure instanceof TimeoutException ? "no answer within " + QUERY_DEADLINE.toMillis() + " ms" : failure.toString();
        return HealthCheckResponse.named(NAME).down().withData("error", error).build();
    }

    /** Whether a query failed for a table that is not there: a database no migration has run on yet. */
    public static boolean notMigrated(Throwable failure) {
        return failure instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState());
    }

    private static HealthCheckResponse up() {
        return HealthCheckResponse.named(NAME).up().withData("required", REQUIRED_SCHEMA_VERSION).build();
    }

    private static HealthCheckResponse down(String newest, String why) {
        return HealthCheckResponse.named(NAME).down().withData("migrated", newest)
                .withData("required", REQUIRED_SCHEMA_VERSION).withData("reason", why).build();
    }
}
