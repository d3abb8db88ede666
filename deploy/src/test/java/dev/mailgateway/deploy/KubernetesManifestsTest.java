package dev.mailgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.kustomize.v1beta1.Kustomization;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

import dev.mailgateway.common.testing.LocalStack;

/**
 * Every manifest under deploy/k8s read as what it claims to be: the
 * Kubernetes kinds (and the Prometheus Operator's and Kustomize's) into
 * fabric8's API model, refusing any field the model does not know; the
 * operators' kinds (Strimzi, CloudNativePG, KEDA) against an outline of
 * their CRDs' fields. Then what ties them together: probes and ports against
 * the services' own configuration, selectors against labels, images against
 * the overlays, every file and patch the overlays name, and every service's
 * JVM exiting on OutOfMemoryError.
 */
class KubernetesManifestsTest {

    private static final Path K8S = LocalStack.repositoryRoot().resolve("deploy/k8s");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> HEALTH_PATHS = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");
    private static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";

    /** The fabric8 type of each Kubernetes kind used here, by apiVersion/kind. */
    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class));

    /** The operators' kinds: the fields their CRDs define at each path ("*": free-form, "[]": each list item). */
    private static final Map<String, Map<String, Set<String>>> OUTLINES = Map.of(
            "kafka.strimzi.io/v1beta2/Kafka", Map.of(
                    "spec", Set.of("kafka", "entityOperator", "kafkaExporter", "cruiseControl", "clusterCa", "clientsCa",
                            "maintenanceTimeWindows"),
                    "spec.kafka", Set.of("version", "metadataVersion", "listeners", "config", "authorization", "rack", "resources",
                            "jvmOptions", "jmxOptions", "metricsConfig", "logging", "template", "tieredStorage", "quotas",
                            "livenessProbe", "readinessProbe", "image"),
                    "spec.kafka.listeners[]", Set.of("name", "port", "type", "tls", "authentication", "configuration",
                            "networkPolicyPeers"),
                    "spec.kafka.config", Set.of("*"),
                    "spec.kafkaExporter", Set.of("image", "groupRegex", "topicRegex", "groupExcludeRegex", "topicExcludeRegex",
                            "resources", "logging", "livenessProbe", "readinessProbe", "enableSaramaLogging", "showAllOffsets",
                            "template"),
                    "spec.entityOperator", Set.of("topicOperator", "userOperator", "template"),
                    "spec.entityOperator.topicOperator", Set.of("watchedNamespace", "image", "reconciliationIntervalMs", "resources",
                            "logging", "jvmOptions", "livenessProbe", "readinessProbe", "startupProbe")),
            "kafka.strimzi.io/v1beta2/KafkaNodePool", Map.of(
                    "spec", Set.of("replicas", "storage", "roles", "resources", "jvmOptions", "template"),
                    "spec.storage", Set.of("type", "size", "class", "deleteClaim", "selector", "volumes", "kraftMetadata", "id")),
            "kafka.strimzi.io/v1beta2/KafkaTopic", Map.of(
                    "spec", Set.of("partitions", "replicas", "config", "topicName"),
                    "spec.config", Set.of("*")),
            "postgresql.cnpg.io/v1/Cluster", Map.of(
                    "spec", Set.of("instances", "imageName", "bootstrap", "storage", "walStorage", "postgresql", "monitoring",
                            "minSyncReplicas", "maxSyncReplicas", "primaryUpdateStrategy", "resources", "affinity", "backup",
                            "enableSuperuserAccess", "superuserSecret", "description"),
                    "spec.bootstrap", Set.of("initdb", "recovery", "pg_basebackup"),
                    "spec.bootstrap.initdb", Set.of("database", "owner", "secret", "options", "encoding", "localeCollate",
                            "localeCType", "dataChecksums", "postInitSQL", "postInitApplicationSQL"),
                    "spec.storage", Set.of("size", "storageClass", "resizeInUseVolumes", "pvcTemplate"),
                    "spec.postgresql", Set.of("parameters", "pg_hba", "synchronous", "shared_preload_libraries"),
                    "spec.postgresql.parameters", Set.of("*"),
                    "spec.monitoring", Set.of("enablePodMonitor", "customQueriesConfigMap", "customQueriesSecret",
                            "disableDefaultQueries")),
            "keda.sh/v1alpha1/ScaledObject", Map.of(
                    "spec", Set.of("scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount",
                            "minReplicaCount", "maxReplicaCount", "advanced", "triggers", "fallback"),
                    "spec.scaleTargetRef", Set.of("name", "apiVersion", "kind", "envSourceContainerName"),
                    "spec.triggers[]", Set.of("type", "metadata", "name", "authenticationRef", "metricType", "useCachedMetrics"),
                    "spec.triggers[].metadata", Set.of("*")));

    /** One manifest: where it is, its YAML, and its typed form when fabric8 models its kind. */
    record Manifest(Path file, JsonNode yaml, Object typed) {
        String kind() {
            return yaml.path("kind").asText();
        }

        String name() {
            return yaml.path("metadata").path("name").asText();
        }

        String key() {
            return yaml.path("apiVersion").asText() + "/" + kind();
        }
    }

    private static final List<Manifest> MANIFESTS = new ArrayList<>();

    @BeforeAll
    static void readEveryManifest() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode yaml = YAML.readTree(file.toFile());
                String key = yaml.path("apiVersion").asText() + "/" + yaml.path("kind").asText();
                Class<?> model = MODELS.get(key);
                if (model == null && !OUTLINES.containsKey(key)) {
                    throw new AssertionError(K8S.relativize(file) + ": no check knows " + key);
                }
                MANIFESTS.add(new Manifest(file, yaml, model == null ? null : YAML.treeToValue(yaml, model)));
            }
        }
    }

    private static <T> List<T> base(Class<T> type) {
        return MANIFESTS.stream().filter(m -> m.file().startsWith(K8S.resolve("base")) && type.isInstance(m.typed()))
                .map(m -> type.cast(m.typed())).toList();
    }

    @Test
    void everyFieldIsOneTheKindDefines() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Manifest manifest : MANIFESTS) {
            String where = K8S.relativize(manifest.file()).toString();
            if (manifest.typed() != null) {
                unknownFields(manifest.typed(), where, problems);
            } else {
                Map<String, Set<String>> outline = OUTLINES.get(manifest.key());
                checkOutline(manifest.yaml(), "", outline, where, problems);
                if (manifest.yaml().path("metadata").path("name").asText().isEmpty()) {
                    problems.add(where + ": no metadata.name");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** fabric8 keeps what its model does not know in additionalProperties: anything there is a field the kind has not. */
    private static void unknownFields(Object value, String path, List<String> problems) throws IllegalAccessException {
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                unknownFields(entry.getValue(), path + "." + entry.getKey(), problems);
            }
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Class<?> type = value.getClass(); type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getName().equals("additionalProperties")) {
                    field.setAccessible(true);
                    Map<?, ?> unknown = (Map<?, ?>) field.get(value);
                    if (unknown != null && !unknown.isEmpty()) {
                        problems.add(path + ": unknown " + unknown.keySet());
                    }
                } else if (field.isAnnotationPresent(JsonProperty.class)) {
                    field.setAccessible(true);
                    unknownFields(field.get(value), path + "." + field.getAnnotation(JsonProperty.class).value(), problems);
                }
            }
        }
    }

    private static void checkOutline(JsonNode node, String path, Map<String, Set<String>> outline, String where, List<String> problems) {
        if (node.isArray()) {
            node.forEach(item -> checkOutline(item, path + "[]", outline, where, problems));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (path.isEmpty()) {
            node.fieldNames().forEachRemaining(name -> {
                if (!Set.of("apiVersion", "kind", "metadata", "spec").contains(name)) {
                    problems.add(where + ": unknown " + name);
                }
            });
            checkOutline(node.path("spec"), "spec", outline, where, problems);
            return;
        }
        Set<String> known = outline.get(path);
        if (known == null || known.contains("*")) {
            // a free-form map (Kafka's config, KEDA's trigger metadata: strings only) or a part the outline leaves to the operator
            if (path.endsWith("triggers[].metadata")) {
                node.fields().forEachRemaining(f -> {
                    if (!f.getValue().isTextual()) {
                        problems.add(where + ": " + path + "." + f.getKey() + " must be a string (KEDA reads trigger metadata as strings)");
                    }
                });
            }
            return;
        }
        node.fields().forEachRemaining(field -> {
            if (!known.contains(field.getKey())) {
                problems.add(where + ": unknown " + path + "." + field.getKey());
            }
            checkOutline(field.getValue(), path + "." + field.getKey(), outline, where, problems);
        });
    }

    @Test
    void probesAndPortsAreTheOnesTheServicesServe() throws IOException {
        Map<String, Integer> contractPorts = new HashMap<>();
        contractPorts.putAll(portDefaults("smtp-ingress/src/main/java/dev/mailgateway/ingress/IngressConfig.java",
                Map.of("port", "smtp", "submissionPort", "submission", "tlsPort", "submissions")));
        contractPorts.putAll(portDefaults("pop3-access/src/main/java/dev/mailgateway/pop3/Pop3Config.java",
                Map.of("port", "pop3", "tlsPort", "pop3s")));
        List<Deployment> deployments = base(Deployment.class);
        assertEquals(Set.of("smtp-ingress", "delivery-worker", "pop3-access"),
                deployments.stream().map(d -> d.getMetadata().getName()).collect(Collectors.toSet()));
        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
            Map<String, Integer> ports = container.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
            assertEquals(httpPort(name), ports.get("http"), name + ": the http port is quarkus.http.port");
            ports.forEach((port, number) -> {
                if (!port.equals("http")) {
                    assertEquals(contractPorts.get(port), number, name + ": port " + port + " is the service's default");
                }
            });
            for (Probe probe : new Probe[] {container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe()}) {
                HTTPGetAction get = probe.getHttpGet();
                assertTrue(HEALTH_PATHS.contains(get.getPath()), name + ": " + get.getPath());
                assertTrue(ports.containsKey(get.getPort().getStrVal()), name + ": probe port " + get.getPort());
            }
            assertEquals(Boolean.TRUE, deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot(), name);
            assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem(), name);
            assertTrue(container.getResources().getRequests().containsKey("memory"), name + ": resource requests");
            assertEquals("mail-gateway/" + name, container.getImage().replaceAll(":.*", ""), name + ": image");
            // the image is the service's standard Quarkus JVM image, exposing the same ports
            String dockerfile = Files.readString(LocalStack.repositoryRoot().resolve(name + "/src/main/docker/Dockerfile.jvm"));
            Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(dockerfile);
            assertTrue(expose.find(), name + ": Dockerfile.jvm exposes its ports");
            assertEquals(new HashSet<>(ports.values()), Stream.of(expose.group(1).trim().split(" +")).map(Integer::valueOf).collect(Collectors.toSet()),
                    name + ": Dockerfile.jvm exposes the container's ports");
        }
        Deployment ingress = deployments.stream().filter(d -> d.getMetadata().getName().equals("smtp-ingress")).findFirst().orElseThrow();
        long grace = durationDefaultSeconds("smtp-ingress/src/main/java/dev/mailgateway/ingress/IngressConfig.java", "shutdownGrace");
        assertTrue(ingress.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > grace,
                "the pod's grace period is above smtp.shutdown-grace (" + grace + "s)");
    }

    private static int httpPort(String service) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(LocalStack.repositoryRoot().resolve(service + "/src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return Integer.parseInt(properties.getProperty("quarkus.http.port"));
    }

    /** The @WithDefault of each port method of a config interface, by the container port name it becomes. */
    private static Map<String, Integer> portDefaults(String source, Map<String, String> portNames) throws IOException {
        String text = Files.readString(LocalStack.repositoryRoot().resolve(source));
        Map<String, Integer> defaults = new HashMap<>();
        Matcher m = Pattern.compile("@WithDefault\\(\"(\\d+)\"\\)\\s+int (\\w+)\\(\\)").matcher(text);
        while (m.find()) {
            if (portNames.containsKey(m.group(2))) {
                defaults.put(portNames.get(m.group(2)), Integer.parseInt(m.group(1)));
            }
        }
        assertEquals(portNames.size(), defaults.size(), source + ": every port has a default");
        return defaults;
    }

    private static long durationDefaultSeconds(String source, String method) throws IOException {
        Matcher m = Pattern.compile("@WithDefault\\(\"(\\d+)s\"\\)\\s+Duration " + method + "\\(\\)")
                .matcher(Files.readString(LocalStack.repositoryRoot().resolve(source)));
        assertTrue(m.find(), source + ": " + method + " has a default in seconds");
        return Long.parseLong(m.group(1));
    }

    @Test
    void everyServiceJvmExitsOnOutOfMemoryError() throws IOException {
        List<Deployment> deployments = base(Deployment.class);
        assertEquals(3, deployments.size());
        for (Deployment deployment : deployments) {
            assertExitsOnOutOfMemory(deployment, base(ConfigMap.class), "base");
            String name = deployment.getMetadata().getName();
            String dockerfile = Files.readString(LocalStack.repositoryRoot().resolve(name + "/src/main/docker/Dockerfile.jvm"));
            Matcher options = Pattern.compile("(?m)^ENV JDK_JAVA_OPTIONS=\"([^\"]*)\"$").matcher(dockerfile);
            assertTrue(options.find() && exitsOnOutOfMemory(options.group(1)),
                    name + ": Dockerfile.jvm sets JDK_JAVA_OPTIONS with " + EXIT_ON_OOM);
        }
    }

    /** Each container's JVM exits on OutOfMemoryError, so the kubelet restarts it instead of keeping a wedged pod. */
    private static void assertExitsOnOutOfMemory(Deployment deployment, List<ConfigMap> configMaps, String where) {
        for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
            assertTrue(exitsOnOutOfMemory(environment(container, configMaps).getOrDefault("JDK_JAVA_OPTIONS", "")),
                    where + ": " + deployment.getMetadata().getName() + "/" + container.getName() + ": JDK_JAVA_OPTIONS has " + EXIT_ON_OOM);
        }
    }

    private static boolean exitsOnOutOfMemory(String javaOptions) {
        return List.of(javaOptions.trim().split("\\s+")).contains(EXIT_ON_OOM);
    }

    /** A container's environment as Kubernetes makes it: its config maps in order, then its own env over them. */
    private static Map<String, String> environment(Container container, List<ConfigMap> configMaps) {
        Map<String, String> environment = new HashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                configMaps.stream().filter(c -> c.getMetadata().getName().equals(from.getConfigMapRef().getName()))
                        .forEach(c -> environment.putAll(c.getData()));
            }
        }
        container.getEnv().forEach(variable -> environment.put(variable.getName(), variable.getValue()));
        return environment;
    }

    @Test
    void selectorsLabelsAndNamesAgree() {
        Map<String, Deployment> deployments = base(Deployment.class).stream()
                .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d));
        for (Deployment d : deployments.values()) {
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertTrue(labels.entrySet().containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()), d.getMetadata().getName());
        }
        List<Service> services = base(Service.class);
        for (Service service : services) {
            Deployment target = selected(deployments.values(), service.getSpec().getSelector(), service.getMetadata().getName());
            Set<String> portNames = containerPortNames(target);
            for (ServicePort port : service.getSpec().getPorts()) {
                assertTrue(portNames.contains(port.getTargetPort().getStrVal()), service.getMetadata().getName() + " -> " + port.getTargetPort());
            }
        }
        for (PodDisruptionBudget pdb : base(PodDisruptionBudget.class)) {
            selected(deployments.values(), pdb.getSpec().getSelector().getMatchLabels(), pdb.getMetadata().getName());
        }
        for (NetworkPolicy policy : base(NetworkPolicy.class)) {
            Deployment target = selected(deployments.values(), policy.getSpec().getPodSelector().getMatchLabels(), policy.getMetadata().getName());
            Set<String> portNames = containerPortNames(target);
            policy.getSpec().getIngress().stream().flatMap(rule -> rule.getPorts().stream()).map(NetworkPolicyPort::getPort)
                    .forEach(port -> assertTrue(portNames.contains(port.getStrVal()), policy.getMetadata().getName() + ": " + port));
        }
        for (HorizontalPodAutoscaler hpa : base(HorizontalPodAutoscaler.class)) {
            assertTrue(deployments.containsKey(hpa.getSpec().getScaleTargetRef().getName()), hpa.getMetadata().getName());
        }
        JsonNode scaled = outlined("ScaledObject", "delivery-worker").yaml();
        assertTrue(deployments.containsKey(scaled.path("spec").path("scaleTargetRef").path("name").asText()));
        int partitions = outlined("KafkaTopic", "mail.inbound").yaml().path("spec").path("partitions").asInt();
        assertTrue(scaled.path("spec").path("maxReplicaCount").asInt() <= partitions, "no more workers than mail.inbound partitions");
        for (ServiceMonitor monitor : base(ServiceMonitor.class)) {
            Map<String, String> wanted = monitor.getSpec().getSelector().getMatchLabels();
            String port = monitor.getSpec().getEndpoints().get(0).getPort();
            assertTrue(services.stream().anyMatch(s -> s.getMetadata().getLabels().entrySet().containsAll(wanted.entrySet())
                    && s.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(port))), monitor.getMetadata().getName());
        }
        // every config map and secret a pod reads: the base's config map, the operator's and the overlays' secrets
        Set<String> configMaps = base(ConfigMap.class).stream().map(c -> c.getMetadata().getName()).collect(Collectors.toSet());
        for (Deployment d : deployments.values()) {
            Container container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            container.getEnvFrom().forEach(from -> assertTrue(configMaps.contains(from.getConfigMapRef().getName())));
            container.getEnv().stream().filter(e -> e.getValueFrom() != null).forEach(e ->
                    assertTrue(Set.of("mail-admin", "mail-db-app", "pop3-apop").contains(e.getValueFrom().getSecretKeyRef().getName()), e.getName()));
        }
        long maxMessage = Long.parseLong(base(ConfigMap.class).get(0).getData().get("SMTP_MAX_MESSAGE_SIZE"));
        long maxRecord = outlined("KafkaTopic", "mail.inbound").yaml().path("spec").path("config").path("max.message.bytes").asLong();
        assertTrue(maxRecord > maxMessage, "a record holds a message of the advertised SIZE and its envelope");
    }

    private static Manifest outlined(String kind, String name) {
        return MANIFESTS.stream().filter(m -> m.file().startsWith(K8S.resolve("base")) && m.kind().equals(kind) && m.name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static Deployment selected(Collection<Deployment> deployments, Map<String, String> selector, String by) {
        List<Deployment> matches = deployments.stream()
                .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
        assertEquals(1, matches.size(), by + " selects exactly one deployment");
        return matches.get(0);
    }

    private static Set<String> containerPortNames(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .map(ContainerPort::getName).collect(Collectors.toSet());
    }

    @Test
    void theOverlaysResolve() throws IOException {
        Path base = K8S.resolve("base");
        Kustomization baseKustomization = YAML.readValue(base.resolve("kustomization.yaml").toFile(), Kustomization.class);
        Set<String> listed = new TreeSet<>(baseKustomization.getResources());
        Set<String> present;
        try (Stream<Path> files = Files.walk(base)) {
            present = files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml"))
                    .map(f -> base.relativize(f).toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(present, listed, "the base lists every manifest it has, and only those");
        Set<String> baseResources = new HashSet<>();
        Set<String> images = new HashSet<>();
        for (Manifest m : MANIFESTS) {
            if (m.file().startsWith(base) && !m.kind().equals("Kustomization")) {
                baseResources.add(m.kind() + "/" + m.name());
            }
            if (m.typed() instanceof Deployment d && m.file().startsWith(base)) {
                images.add(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().replaceAll(":.*", ""));
            }
        }
        for (String overlay : List.of("dev", "prod")) {
            Path dir = K8S.resolve("overlays").resolve(overlay);
            Kustomization kustomization = YAML.readValue(dir.resolve("kustomization.yaml").toFile(), Kustomization.class);
            for (String resource : kustomization.getResources()) {
                Path target = dir.resolve(resource).normalize();
                assertTrue(Files.isRegularFile(target) || Files.isRegularFile(target.resolve("kustomization.yaml")), overlay + ": " + resource);
            }
            assertTrue(kustomization.getResources().contains("../../base"), overlay + " builds on the base");
            for (var patch : kustomization.getPatches()) {
                Path file = dir.resolve(patch.getPath());
                assertTrue(Files.isRegularFile(file), overlay + ": " + patch.getPath());
                JsonNode yaml = YAML.readTree(file.toFile());
                String target = yaml.path("kind").asText() + "/" + yaml.path("metadata").path("name").asText();
                assertTrue(baseResources.contains(target), overlay + ": " + patch.getPath() + " patches " + target + ", which the base has not");
            }
            kustomization.getImages().forEach(image -> assertTrue(images.contains(image.getName()), overlay + ": image " + image.getName()));
            assertEquals(images, kustomization.getImages().stream().map(i -> i.getName()).collect(Collectors.toSet()),
                    overlay + " sets every image");
        }
    }

    /** Kustomize itself (kubectl's), where the machine has it: both overlays build, and what they build passes the same checks. */
    @Test
    void kustomizeBuildsBothOverlays() throws Exception {
        Assumptions.assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl"))),
                "kubectl is not installed");
        for (String overlay : List.of("dev", "prod")) {
            Process kustomize = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays").resolve(overlay).toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<JsonNode> documents;
            try (var parser = YAML.getFactory().createParser(kustomize.getInputStream())) {
                documents = YAML.readValues(parser, JsonNode.class).readAll();
            }
            assertEquals(0, kustomize.waitFor(), "kubectl kustomize overlays/" + overlay);
            String namespace = overlay.equals("dev") ? "mail-dev" : "mail";
            List<String> problems = new ArrayList<>();
            Map<String, Integer> kinds = new HashMap<>();
            List<Deployment> deployments = new ArrayList<>();
            List<ConfigMap> configMaps = new ArrayList<>();
            for (JsonNode document : documents) {
                String key = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
                String where = overlay + ": " + key + " " + document.path("metadata").path("name").asText();
                kinds.merge(document.path("kind").asText(), 1, Integer::sum);
                if (!key.equals("v1/Namespace") && !namespace.equals(document.path("metadata").path("namespace").asText())) {
                    problems.add(where + ": not in namespace " + namespace);
                }
                if (MODELS.containsKey(key)) {
                    Object typed = YAML.treeToValue(document, MODELS.get(key));
                    unknownFields(typed, where, problems);
                    if (typed instanceof Deployment deployment) {
                        deployments.add(deployment);
                    } else if (typed instanceof ConfigMap configMap) {
                        configMaps.add(configMap);
                    }
                } else {
                    checkOutline(document, "", OUTLINES.get(key), where, problems);
                }
            }
            assertEquals(List.of(), problems);
            assertEquals(3, kinds.get("Deployment"), overlay);
            deployments.forEach(deployment -> assertExitsOnOutOfMemory(deployment, configMaps, overlay));
            assertEquals(3, kinds.get("KafkaTopic"), overlay);
            assertEquals(overlay.equals("dev") ? 1 : null, kinds.get("Secret"), overlay + ": only dev generates a Secret");
        }
    }
}
