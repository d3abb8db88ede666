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
import java.util.List;

import dev.mailgateway.common.testing.ConsumerGroups;
import dev.mailgateway.common.testing.LocalStack;

/**
 * The three services as users run them: separate JVMs started from the built
 * {@code target/quarkus-app}, on free ports (so a running local stack is left
 * alone), against the Kafka and PostgreSQL of {@code deploy/local/up infra}.
 * Logs go to {@code deploy/target/e2e-logs/}.
 */
final class RunningGateway implements AutoCloseable {

    static final String ADMIN_TOKEN = "e2e-admin-token";
    private static final String WORKER_GROUP = "delivery-worker-e2e";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    final int smtpPort = freePort();
    final int pop3Port = freePort();
    final int pop3HttpPort = freePort();
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    RunningGateway() throws Exception {
        LocalStack.ensureInfrastructure();
        Path root = LocalStack.repositoryRoot();
        Path logs = root.resolve("deploy/target/e2e-logs");
        Files.createDirectories(logs);
        int ingressHttp = freePort();
        int workerHttp = freePort();
        start(root, logs, "smtp-ingress", ingressHttp, List.of("-Dsmtp.port=" + smtpPort, "-Dsmtp.host=127.0.0.1",
                "-Dsmtp.submission-port=0", "-Dsmtp.tls-port=0",
                "-Dsmtp.tls.cert-file=" + LocalStack.tlsCertificate(), "-Dsmtp.tls.key-file=" + LocalStack.tlsKey()));
        // a consumer group of its own, so a running local stack's worker keeps its offsets, started past old records
        ConsumerGroups.skipToEnd(WORKER_GROUP, LocalStack.INBOUND_TOPIC);
        start(root, logs, "delivery-worker", workerHttp, List.of("-Dmp.messaging.incoming.mail-inbound.group.id=" + WORKER_GROUP));
        start(root, logs, "pop3-access", pop3HttpPort, List.of("-Dpop3.port=" + pop3Port, "-Dpop3.host=127.0.0.1"));
        for (int port : new int[] {ingressHttp, workerHttp, pop3HttpPort}) {
            awaitReady(port);
        }
    }

    private void start(Path root, Path logs, String service, int httpPort, List<String> options) throws IOException {
        Path app = root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(app)) {
            throw new IllegalStateException(app + " is missing: build with ./mvnw -B verify from the top folder");
        }
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m", "-Dquarkus.http.host=127.0.0.1",
                // the tests' database and topics (the %test profile): a running local stack never shares their mail
                "-Dquarkus.profile=test",
                "-Dquarkus.http.port=" + httpPort, "-Dmail.admin-token=" + ADMIN_TOKEN));
        command.addAll(options);
        command.addAll(List.of("-jar", app.toString()));
        processes.add(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(service + ".log").toFile())
                .start());
    }

    private void awaitReady(int httpPort) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready")).build();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            for (Process process : processes) {
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
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pop3HttpPort + "/api/accounts"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"address\":\"" + address + "\",\"password\":\"" + password + "\"}"))
                .build();
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 201) {
            throw new IllegalStateException("creating " + address + ": HTTP " + status);
        }
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
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
