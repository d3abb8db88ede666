package dev.mailgateway.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Tests run against the real Kafka broker and PostgreSQL that users run: this
 * starts them, and makes the local TLS key pair, through the project's own
 * script, {@code deploy/local/up infra},
 * which leaves running components alone, and gives the services' tests their
 * database, migrated. Used as a Quarkus test resource and, by the end-to-end
 * tests, directly.
 */
public class LocalStack implements QuarkusTestResourceLifecycleManager {

    /** The tests' topics (the %test profile's): a running stack's worker never consumes test records. */
    public static final String INBOUND_TOPIC = "test.mail.inbound";
    public static final String DEAD_LETTER_TOPIC = "test.mail.dead-letter";
    public static final String EVENTS_TOPIC = "test.mail.events";

    /**
     * The tests' database (mail_test, which deploy/local/up makes), migrated by each service's tests as they
     * start, so that none needs a delivery-worker to run first. Only the worker carries Flyway and the JDBC
     * driver when it runs; smtp-ingress and pop3-access have them in test scope for this, and otherwise wait
     * for the worker's migrations (SchemaReadiness). The seed's postmaster is what the worker makes of the
     * tests' mail.domains (worker/schema/PostmasterPlaceholder).
     */
    private static final Map<String, String> MIGRATED_TEST_DATABASE = Map.of(
            "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:15432/mail_test",
            "quarkus.datasource.jdbc.min-size", "0",
            "quarkus.datasource.jdbc.max-size", "3",
            "quarkus.flyway.migrate-at-start", "true",
            "quarkus.flyway.ignore-migration-patterns", "*:future",
            "quarkus.flyway.placeholders.postmaster", "postmaster@example.test");
    private static final long START_TIMEOUT_MINUTES = 10;
    private static boolean started;

    /** Starts Kafka and PostgreSQL unless they run already; once per JVM. */
    public static synchronized void ensureInfrastructure() {
        if (started) {
            return;
        }
        runDeployScript("deploy/local/up", "infra");
        started = true;
    }

    /**
     * Installs the independent implementations the interoperability tests drive (Debian's dkimpy) when
     * they are missing, as {@link #ensureInfrastructure} installs PostgreSQL: {@code ./mvnw verify} works
     * on a fresh machine.
     */
    public static void ensureTestTools() {
        runDeployScript("deploy/local/test-tools");
    }

    private static void runDeployScript(String script, String... arguments) {
        Path root = repositoryRoot();
        List<String> command = new ArrayList<>(List.of(root.resolve(script).toString()));
        command.addAll(List.of(arguments));
        String name = String.join(" ", command).substring(root.toString().length() + 1);
        try {
            Process process = new ProcessBuilder(command).directory(root.toFile()).inheritIO().start();
            if (!process.waitFor(START_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " did not finish in " + START_TIMEOUT_MINUTES + " minutes");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(name + " failed with exit code " + process.exitValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The checkout's top folder: the nearest parent of the working directory holding deploy/local/up. */
    public static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isExecutable(dir.resolve("deploy/local/up"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/local/up above " + Path.of("").toAbsolutePath());
    }

    /** The self-signed key pair that {@code deploy/local/up} makes for STARTTLS and the TLS ports. */
    public static Path tlsCertificate() {
        return repositoryRoot().resolve(".local/data/tls/cert.pem");
    }

    public static Path tlsKey() {
        return repositoryRoot().resolve(".local/data/tls/key.pem");
    }

    @Override
    public Map<String, String> start() {
        ensureInfrastructure();
        Map<String, String> config = new HashMap<>(MIGRATED_TEST_DATABASE);
        config.putAll(Map.of("smtp.tls.cert-file", tlsCertificate().toString(), "smtp.tls.key-file", tlsKey().toString(),
                "pop3.tls.cert-file", tlsCertificate().toString(), "pop3.tls.key-file", tlsKey().toString()));
        return config;
    }

    @Override
    public void stop() {
        // The stack outlives the tests, as deploy/local/down is the user's to run.
    }
}
