package dev.mailgateway.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Tests run against the real Kafka broker and PostgreSQL that users run: this
 * starts them, and makes the local TLS key pair, through the project's own
 * script, {@code deploy/local/up infra},
 * which leaves running components alone. Used as a Quarkus test resource and,
 * by the end-to-end tests, directly.
 */
public class LocalStack implements QuarkusTestResourceLifecycleManager {

    /** The tests' topics (the %test profile's): a running stack's worker never consumes test records. */
    public static final String INBOUND_TOPIC = "test.mail.inbound";
    public static final String DEAD_LETTER_TOPIC = "test.mail.dead-letter";
    public static final String EVENTS_TOPIC = "test.mail.events";

    private static final long START_TIMEOUT_MINUTES = 10;
    private static boolean started;

    /** Starts Kafka and PostgreSQL unless they run already; once per JVM. */
    public static synchronized void ensureInfrastructure() {
        if (started) {
            return;
        }
        Path root = repositoryRoot();
        try {
            Process up = new ProcessBuilder(root.resolve("deploy/local/up").toString(), "infra")
                    .directory(root.toFile())
                    .inheritIO()
                    .start();
            if (!up.waitFor(START_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                up.destroyForcibly();
                throw new IllegalStateException("deploy/local/up infra did not finish in " + START_TIMEOUT_MINUTES + " minutes");
            }
            if (up.exitValue() != 0) {
                throw new IllegalStateException("deploy/local/up infra failed with exit code " + up.exitValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run deploy/local/up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        started = true;
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
        return Map.of("smtp.tls.cert-file", tlsCertificate().toString(), "smtp.tls.key-file", tlsKey().toString(),
                "pop3.tls.cert-file", tlsCertificate().toString(), "pop3.tls.key-file", tlsKey().toString());
    }

    @Override
    public void stop() {
        // The stack outlives the tests, as deploy/local/down is the user's to run.
    }
}
