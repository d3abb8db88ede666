package dev.mailgateway.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vertx.core.json.JsonObject;

import dev.mailgateway.common.testing.ConsumerGroups;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.ZoneServer;

/**
 * The three services as users run them: separate JVMs started from the built
 * {@code target/quarkus-app}, on free ports (so a running local stack is left
 * alone), against the Kafka and PostgreSQL of {@code deploy/local/up infra}.
 * Logs go to {@code deploy/target/e2e-logs/}. DNS is the test's own server
 * ({@link #zone}), for the ingress's checks and the worker's MX lookups, and
 * the worker relays to {@link #relayPort} on whatever address an MX names.
 */
final class RunningGateway implements AutoCloseable {

    static final String ADMIN_TOKEN = "e2e-admin-token";
    private static final String WORKER_GROUP = "delivery-worker-e2e";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    final int smtpPort = freePort();
    final int pop3Port = freePort();
    final int pop3HttpPort = freePort();
    final int relayPort = freePort();
    final ZoneServer zone;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, ProcessBuilder> commands = new HashMap<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    RunningGateway() throws Exception {
        LocalStack.ensureInfrastructure();
        zone = new ZoneServer();
        String dns = "-Dmail.dns.servers=" + zone.address();
        Path root = LocalStack.repositoryRoot();
        Path logs = root.resolve("deploy/target/e2e-logs");
        Files.createDirectories(logs);
        int ingressHttp = freePort();
        int workerHttp = freePort();
        start(root, logs, "smtp-ingress", ingressHttp, List.of("-Dsmtp.port=" + smtpPort, "-Dsmtp.host=127.0.0.1",
                "-Dsmtp.submission-port=0", "-Dsmtp.tls-port=0", dns,
                "-Dsmtp.tls.cert-file=" + LocalStack.tlsCertificate(), "-Dsmtp.tls.key-file=" + LocalStack.tlsKey()));
        // a consumer group of its own, so a running local stack's worker keeps its offsets, started past old records
        ConsumerGroups.skipToEnd(WORKER_GROUP, LocalStack.INBOUND_TOPIC);
        start(root, logs, "delivery-worker", workerHttp, List.of("-Dmp.messaging.incoming.mail-inbound.group.id=" + WORKER_GROUP,
                dns, "-Ddelivery.smtp-port=" + relayPort));
        start(root, logs, "pop3-access", pop3HttpPort, List.of("-Dpop3.port=" + pop3Port, "-Dpop3.host=127.0.0.1"));
        for (int port : new int[] {ingressHttp, workerHttp, pop3HttpPort}) {
            awaitReady(port);
        }
    }

    private void start(Path root, Path logs, String service, int httpPort, List<String> options) throws Exception {
        Path app = root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(app)) {
            throw new IllegalStateException(app + " is missing: build with ./mvnw -B verify from the top folder");
        }
        // the heap and OutOfMemoryError policy deploy/local/up gives them (lib.sh): the ingress's message budget is a
        // fifth of the heap and must hold the test profile's 50 MiB SIZE
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-Dquarkus.http.host=127.0.0.1",
                // the tests' database and topics (the %test profile): a running local stack never shares their mail
                "-Dquarkus.profile=test",
                "-Dquarkus.http.port=" + httpPort, "-Dmail.admin-token=" + ADMIN_TOKEN));
        command.addAll(options);
        command.addAll(List.of("-jar", app.toString()));
        Files.deleteIfExists(logs.resolve(service + ".log"));
        // appended to, so a restarted service's log follows its killed run's
        commands.put(service, new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(service + ".log").toFile())));
        httpPorts.put(service, httpPort);
        processes.put(service, commands.get(service).start());
    }

    /** SIGKILL, as a crash or the OOM killer ends a process: no shutdown hook runs. */
    void kill(String service) throws InterruptedException {
        Process process = processes.get(service);
        process.destroyForcibly();
        process.waitFor();
    }

    /** Starts a service again with the same command and ports, and waits until it is ready. */
    void restart(String service) throws Exception {
        processes.put(service, commands.get(service).start());
        awaitReady(httpPorts.get(service));
    }

    private void awaitReady(int httpPort) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // a bounded wait per probe: a pooled connection to a killed run must not hang the start of the next
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            for (Process process : processes.values()) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("a service exited during start-up; see deploy/target/e2e-logs/");
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("HTTP port " + httpPort + " not ready in " + READY_TIMEOUT + "; see deploy/target/e2e-logs/");
    }

    /** Creates an account through pop3-access's admin API. */
    void createAccount(String address, String password) throws Exception {
        admin("POST", "/api/accounts", "{\"address\":\"" + address + "\",\"password\":\"" + password + "\"}", 201);
    }

    /** Gives the account an APOP secret through the admin API. */
    void setApopSecret(String address, String secret) throws Exception {
        admin("PUT", "/api/accounts/" + address + "/apop-secret", "{\"secret\":\"" + secret + "\"}", 204);
    }

    /** Makes a DKIM key for a local domain through the admin API; returns the answer: dnsName, dnsValue. */
    JsonObject createDkimKey(String domain, String selector, String algorithm) throws Exception {
        return new JsonObject(admin("POST", "/api/domains/" + domain + "/dkim",
                new JsonObject().put("selector", selector).put("algorithm", algorithm).encode(), 201));
    }

    private String admin(String method, String path, String json, int expectedStatus) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pop3HttpPort + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as an orchestrator stops them; then wait for a clean exit. */
    @Override
    public void close() throws Exception {
        zone.close();
        processes.values().forEach(Process::destroy);
        for (Process process : processes.values()) {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
