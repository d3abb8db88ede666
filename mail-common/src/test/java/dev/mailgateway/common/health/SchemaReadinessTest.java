package dev.mailgateway.common.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import io.vertx.sqlclient.SqlConnection;

import dev.mailgateway.common.testing.LocalStack;

/**
 * The schema readiness against the local stack's PostgreSQL, in its
 * {@code postgres} database, which no migration ever touches: the history
 * Flyway would keep there is a temporary table of the one connection the
 * pool has, so each test writes the history it needs and leaves nothing.
 */
class SchemaReadinessTest {

    private static final Pattern VERSIONED_MIGRATION = Pattern.compile("V(\\d+)__.*\\.sql");
    private static final String HISTORY = "create temporary table flyway_schema_history (installed_rank int, version varchar(50), success boolean)";
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
        List<String> versioned;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            versioned = files.map(file -> file.getFileName().toString()).filter(name -> name.startsWith("V")).toList();
        }
        List<String> notWhole = versioned.stream().filter(name -> !VERSIONED_MIGRATION.matcher(name).matches()).toList();
        assertEquals(List.of(), notWhole, "versions are whole numbers: the readiness compares them as Flyway writes them");
        int newest = versioned.stream().map(VERSIONED_MIGRATION::matcher).filter(Matcher::matches)
                .mapToInt(name -> Integer.parseInt(name.group(1))).max().orElseThrow();
        assertEquals(newest, SchemaReadiness.REQUIRED_SCHEMA_VERSION,
                "a new migration must raise SchemaReadiness.REQUIRED_SCHEMA_VERSION, or the services would serve before it ran");
    }

    @Test
    void downWhileNothingIsMigrated() {
        HealthCheckResponse response = check(new SchemaReadiness(pool));

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals(SchemaReadiness.NAME, response.getName());
        assertEquals("none", response.getData().orElseThrow().get("migrated"));
        assertEquals("not migrated yet: the delivery-worker migrates it at its start", response.getData().orElseThrow().get("reason"));
    }

    @Test
    void upOnlyOnceTheNewestMigrationSucceededAndThenForGood() {
        SchemaReadiness readiness = new SchemaReadiness(pool);
        int required = SchemaReadiness.REQUIRED_SCHEMA_VERSION;
        sql(HISTORY);
        try {
            HealthCheckResponse empty = check(readiness);
            assertEquals(HealthCheckResponse.Status.DOWN, empty.getStatus());
            assertEquals("none", empty.getData().orElseThrow().get("migrated"));

            sql("insert into flyway_schema_history values (1, '1', true), (2, null, true), (3, '" + (required - 1) + "', true),"
                    + " (4, '" + required + "', false)");
            HealthCheckResponse older = check(readiness);
            assertEquals(HealthCheckResponse.Status.DOWN, older.getStatus(), "a failed migration is not the schema");
            assertEquals(String.valueOf(required - 1), older.getData().orElseThrow().get("migrated"));
            assertEquals((long) required, older.getData().orElseThrow().get("required"));
            assertEquals("the delivery-worker migrates it at its start", older.getData().orElseThrow().get("reason"));

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
        sql(HISTORY);
        try {
            int required = SchemaReadiness.REQUIRED_SCHEMA_VERSION;
            sql("insert into flyway_schema_history values (1, '" + required + "', true), (2, '" + (required + 1) + "', true)");
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

    @Test
    void downInTimeWhenTheDatabaseDoesNotAnswer() {
        // the pool's one connection taken: the check's query waits for it past its deadline
        SqlConnection held = pool.getConnection().toCompletionStage().toCompletableFuture().join();
        try {
            HealthCheckResponse response = check(new SchemaReadiness(pool));
            assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
            assertEquals("no answer within 900 ms", response.getData().orElseThrow().get("error"));
        } finally {
            held.close();
        }
    }

    private static HealthCheckResponse check(SchemaReadiness readiness) {
        return readiness.call().await().atMost(WAIT);
    }

    private static void sql(String statement) {
        pool.query(statement).execute().toCompletionStage().toCompletableFuture().join();
    }
}
