package dev.mailgateway.common.health;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;

/**
 * Readiness of every service on the database schema: DOWN until Flyway's
 * history holds {@link #REQUIRED_SCHEMA_VERSION}, this release's newest
 * migration (mail-common's {@code db/migration}).
 * <p>
 * Why it is needed: only the delivery-worker runs the migrations (at its
 * start). Flyway, its JDBC driver and their pool are some 2,000 classes and
 * 20 MB a JVM that smtp-ingress and pop3-access would carry for the
 * seconds of a start-up, so they leave them out and wait here instead: on a
 * fresh database, or in a rolling update that brings a new migration, they
 * take no traffic until the worker has migrated. Once reached, the version is
 * kept: a schema is never migrated back, and an unreachable database is the
 * reactive datasource's own check.
 */
@Readiness
@ApplicationScoped
public class SchemaReadiness implements AsyncHealthCheck {

    /** The newest migration's version; SchemaReadinessTest holds it to the files. */
    public static final int REQUIRED_SCHEMA_VERSION = 15;
    /** Kubernetes' default probe timeout is one second: past this, an answer would come to nobody. */
    static final Duration QUERY_DEADLINE = Duration.ofMillis(900);
    static final String NAME = "database-schema";
    /** PostgreSQL's undefined_table: no migration has run on this database yet. */
    private static final String UNDEFINED_TABLE = "42P01";
    /** Only versioned migrations count: repeatable ones and a baseline's description have no number to compare. */
    private static final String MIGRATED_VERSION = "select coalesce(max(version::int), 0) from flyway_schema_history"
            + " where success and version ~ '^[0-9]+$'";

    private final Pool pool;
    private volatile boolean reached;

    public SchemaReadiness(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (reached) {
            return Uni.createFrom().item(up(REQUIRED_SCHEMA_VERSION));
        }
        return Uni.createFrom().completionStage(() -> pool.query(MIGRATED_VERSION).execute().toCompletionStage())
                .ifNoItem().after(QUERY_DEADLINE).fail()
                .map(rows -> judge(rows.iterator().next().getInteger(0)))
                .onFailure().recoverWithItem(SchemaReadiness::unknown);
    }

    private HealthCheckResponse judge(int migrated) {
        if (migrated < REQUIRED_SCHEMA_VERSION) {
            return down("migrated to version " + migrated + ": the delivery-worker migrates it at its start", migrated);
        }
        reached = true;
        return up(migrated);
    }

    private static HealthCheckResponse unknown(Throwable failure) {
        if (notMigrated(failure)) {
            return down("not migrated yet: the delivery-worker migrates it at its start", 0);
        }
        String error = failure instanceof TimeoutException ? "no answer within " + QUERY_DEADLINE.toMillis() + " ms" : failure.toString();
        return HealthCheckResponse.named(NAME).down().withData("error", error).build();
    }

    /** Whether a query failed for a table that is not there: a database no migration has run on yet. */
    public static boolean notMigrated(Throwable failure) {
        return failure instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState());
    }

    private static HealthCheckResponse up(int migrated) {
        return HealthCheckResponse.named(NAME).up().withData("version", migrated).build();
    }

    private static HealthCheckResponse down(String why, int migrated) {
        return HealthCheckResponse.named(NAME).down().withData("version", migrated)
                .withData("required", REQUIRED_SCHEMA_VERSION).withData("reason", why).build();
    }
}
