package dev.mailgateway.common.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import dev.mailgateway.common.testing.LocalStack;

/**
 * The schema readiness against the local stack's PostgreSQL, in its
 * {@code postgres} database, which no migration ever touches: the history
 * Flyway would keep there is a temporary table of the one connection the
 * pool has, so each test writes the history it needs and leaves nothing.
 */
class SchemaReadinessTest {

    private static final Pattern VERSIONED_MIGRATION = Pattern.compile("V(\\d+)__.*\\.sql");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Vertx vertx;
    private static Pool pool;

    @BeforeAll
    static void connect() {
        LocalStack.ensureInfrastructure();
        vertx = Vertx.vertx();
        PgConnectOptions database = new PgConnectOptions().setHost("127.0.0.1").setPort(15432)
                .setDatabase("postgres").setUser("mail").setPassword("mail");
        pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(database).using(vertx).build();
    }

    @AfterAll
    static void close() {
        pool.close().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void requiresTheNewestMigration() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            int newest = files.map(file -> VERSIONED_MIGRATION.matcher(file.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(name -> Integer.parseInt(name.group(1))).max().orElseThrow();
            assertEquals(newest, SchemaReadiness.REQUIRED_SCHEMA_VERSION,
                    "a new migration must raise SchemaReadiness.REQUIRED_SCHEMA_VERSION, or the services would serve before it ran");
        }
    }

    @Test
    void downWhileNothingIsMigrated() {
        HealthCheckResponse response = check(new SchemaReadiness(pool));

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("database-schema", response.getName());
        assertEquals(0L, response.getData().orElseThrow().get("version"));
        assertEquals("not migrated yet: the delivery-worker migrates it at its start", response.getData().orElseThrow().get("reason"));
    }

    @Test
    void upOnlyOnceTheNewestMigrationSucceededAndThenForGood() {
        SchemaReadiness readiness = new SchemaReadiness(pool);
        int required = SchemaReadiness.REQUIRED_SCHEMA_VERSION;
        sql("create temporary table flyway_schema_history (installed_rank int, version varchar(50), success boolean)");
        try {
            sql("insert into flyway_schema_history values (1, '1', true), (2, null, true), (3, '" + (required - 1) + "', true),"
                    + " (4, '" + required + "', false)");
            HealthCheckResponse older = check(readiness);
            assertEquals(HealthCheckResponse.Status.DOWN, older.getStatus(), "a failed migration is not the schema");
            assertEquals((long) required - 1, older.getData().orElseThrow().get("version"));
            assertEquals((long) required, older.getData().orElseThrow().get("required"));

            sql("insert into flyway_schema_history values (5, '" + required + "', true)");
            assertEquals(HealthCheckResponse.Status.UP, check(readiness).getStatus());

            sql("drop table flyway_schema_history");
            assertEquals(HealthCheckResponse.Status.UP, check(readiness).getStatus(), "a schema is never migrated back: not asked again");
        } finally {
            sql("drop table if exists flyway_schema_history");
        }
    }

    @Test
    void aNewerSchemaIsReadyToo() {
        sql("create temporary table flyway_schema_history (installed_rank int, version varchar(50), success boolean)");
        try {
            sql("insert into flyway_schema_history values (1, '" + (SchemaReadiness.REQUIRED_SCHEMA_VERSION + 1) + "', true)");
            HealthCheckResponse response = check(new SchemaReadiness(pool));
            assertEquals(HealthCheckResponse.Status.UP, response.getStatus(), "a rolling update's newer worker migrated further");
        } finally {
            sql("drop table if exists flyway_schema_history");
        }
    }

    @Test
    void downWithTheErrorWhenTheDatabaseCannotBeReached() {
        PgConnectOptions nowhere = new PgConnectOptions().setHost("127.0.0.1").setPort(1).setDatabase("postgres").setUser("mail");
        Pool unreachable = PgBuilder.pool().connectingTo(nowhere).using(vertx).build();
        try {
            HealthCheckResponse response = check(new SchemaReadiness(unreachable));
            assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
            String error = (String) response.getData().orElseThrow().get("error");
            assertTrue(error.contains("Connection refused"), error);
        } finally {
            unreachable.close();
        }
    }

    private static HealthCheckResponse check(SchemaReadiness readiness) {
        return readiness.call().await().atMost(WAIT);
    }

    private static void sql(String statement) {
        pool.query(statement).execute().toCompletionStage().toCompletableFuture().join();
    }
}
