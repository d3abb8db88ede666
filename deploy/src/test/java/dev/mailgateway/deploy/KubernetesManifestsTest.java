package dev.mailgateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

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
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;

import dev.mailgateway.common.testing.LocalStack;

/**
 * Every manifest under deploy/k8s read as what it claims to be: the
 * Kubernetes kinds (and the Prometheus Operator's and Kustomize's) into
 * fabric8's API model, refusing any field the model does not know and any
 * value of the wrong type; the operators' kinds (Strimzi, CloudNativePG, KEDA)
 * against the schemas of their published CRDs, the contract the API server
 * enforces. (Strimzi's own Java model, io.strimzi:api 1.x, is compiled for
 * Java 21, which this Java 17 build cannot load.) Mutations of real manifests
 * show that a typo, a removed field or a wrong type fails. Then what ties
 * them together: probes and ports against the services' own configuration,
 * selectors against labels, images against the overlays, every file and
 * patch the overlays name, who owns the replica counts, what Prometheus
 * scrapes, which way traffic may flow, every service's image (Jib's settings
 * in its application.properties: user, ports, a JVM that exits on
 * OutOfMemoryError and sizes its heap from the container's limit), and, with
 * kubectl's Kustomize, what each overlay builds.
 */
class KubernetesManifestsTest {

    private static final Path K8S = LocalStack.repositoryRoot().resolve("deploy/k8s");
    private static final Path CRD_SCHEMAS = LocalStack.repositoryRoot().resolve("deploy/src/test/resources/crd-schemas");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Reads into fabric8's model as the API server reads JSON: "2" is no integer, 2 no string. */
    private static final ObjectMapper STRICT = YAMLMapper.builder().disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(LogicalType.Textual, text -> text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
    private static final Set<String> HEALTH_PATHS = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");
    private static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";
    private static final Pattern MAX_RAM_PERCENTAGE = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)");
    /**
     * The base image's run-java.sh starts the JVM: only with it does Jib put its jvm-arguments into
     * JAVA_OPTS_APPEND, last on the command line, over the script's own defaults.
     */
    private static final String RUN_JAVA_BASE_IMAGE = "registry.access.redhat.com/ubi9/openjdk-17-runtime:";
    /**
     * Environment variables that would replace or override the image's JVM options: run-java.sh drops its
     * defaults and JAVA_OPTS_APPEND when JAVA_OPTS is set, and reads JAVA_MAX_MEM_RATIO; the java launcher
     * reads the other two. The image is the one place for those options.
     */
    private static final Set<String> JVM_OPTION_VARIABLES = Set.of("JAVA_OPTS", "JAVA_OPTS_APPEND", "JAVA_MAX_MEM_RATIO",
            "JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

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
            Map.entry("monitoring.coreos.com/v1/PodMonitor", PodMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class),
            // a Component has a Kustomization's fields
            Map.entry("kustomize.config.k8s.io/v1alpha1/Component", Kustomization.class));

    /**
     * The operators' kinds (Strimzi, CloudNativePG, KEDA), by apiVersion/kind: the openAPIV3Schema of
     * their published CRDs, as the API server enforces it (src/test/resources/crd-schemas, made by
     * src/test/python/crd_schema.py; each file names the release it came from).
     */
    private static final Map<String, JsonNode> SCHEMAS = crdSchemas();

    /** The Kafka versions Strimzi 1.2.0 runs (its kafka-versions.yaml, supported: true). */
    private static final Set<String> STRIMZI_KAFKA_VERSIONS = Set.of("4.2.0", "4.2.1", "4.3.0", "4.3.1");

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
                Class<?> model = MODELS.get(yaml.path("apiVersion").asText() + "/" + yaml.path("kind").asText());
                Object typed = null;
                if (model != null) {
                    try {
                        typed = STRICT.treeToValue(yaml, model);
                    } catch (JsonProcessingException e) {
                        // everyFieldIsOneTheKindDefines says what is wrong with it
                    }
                }
                MANIFESTS.add(new Manifest(file, yaml, typed));
            }
        }
    }

    private static Map<String, JsonNode> crdSchemas() {
        Map<String, JsonNode> schemas = new HashMap<>();
        try (Stream<Path> files = Files.list(CRD_SCHEMAS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                JsonNode crd = new ObjectMapper().readTree(file.toFile());
                schemas.put(crd.path("apiVersion").asText() + "/" + crd.path("kind").asText(), crd.path("schema"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return schemas;
    }

    private static <T> List<T> base(Class<T> type) {
        return MANIFESTS.stream().filter(m -> m.file().startsWith(K8S.resolve("base")) && type.isInstance(m.typed()))
                .map(m -> type.cast(m.typed())).toList();
    }

    @Test
    void everyFieldIsOneTheKindDefines() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Manifest manifest : MANIFESTS) {
            problems.addAll(problems(manifest.yaml(), K8S.relativize(manifest.file()).toString()));
        }
        assertEquals(List.of(), problems);
    }

    /**
     * What the API server (or kustomize, for its own files) would refuse in one document: a kind no check
     * knows, a field its kind has not, a value of the wrong type, a value outside an enum or a bound.
     */
    static List<String> problems(JsonNode document, String where) throws IllegalAccessException {
        String key = document.path("apiVersion").asText() + "/" + document.path("kind").asText();
        List<String> problems = new ArrayList<>();
        if (MODELS.containsKey(key)) {
            try {
                unknownFields(STRICT.treeToValue(document, MODELS.get(key)), where, problems);
            } catch (JsonProcessingException e) {
                problems.add(where + ": " + e.getOriginalMessage() + " at " + e.getLocation());
            }
        } else if (SCHEMAS.containsKey(key)) {
            // a patch names only what it changes: the fields a whole resource needs come from the base
            checkSchema(document, SCHEMAS.get(key), where + ": ", !where.contains("/patches/"), problems);
            if (document.path("metadata").path("name").asText().isEmpty()) {
                problems.add(where + ": no metadata.name");
            }
        } else {
            problems.add(where + ": no check knows " + key);
        }
        return problems;
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

    /**
     * A value against a CRD's structural schema, as the API server checks it: unknown fields (which
     * {@code kubectl apply}'s strict field validation refuses), types, enums, bounds, patterns, required
     * fields, and the oneOf/anyOf/not constraints between fields. Not checked: CEL rules
     * (x-kubernetes-validations) and the operators' own webhooks.
     */
    static void checkSchema(JsonNode value, JsonNode schema, String path, boolean whole, List<String> problems) {
        if (value.isNull()) {
            return;
        }
        String type = schema.path("x-kubernetes-int-or-string").asBoolean() ? "int-or-string" : schema.path("type").asText();
        boolean typeOk = switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "int-or-string" -> value.isIntegralNumber() || value.isTextual();
            default -> true; // a branch of oneOf/anyOf, or a free-form value
        };
        if (!typeOk) {
            problems.add(path + " must be " + type + ", not " + value.getNodeType().name().toLowerCase());
            return;
        }
        if (schema.has("enum") && !StreamSupport.stream(schema.get("enum").spliterator(), false).anyMatch(e -> e.asText().equals(value.asText()))) {
            problems.add(path + " must be one of " + schema.get("enum"));
        }
        if (value.isNumber() && (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()
                || schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble())) {
            problems.add(path + " is out of [" + schema.path("minimum").asText("") + ", " + schema.path("maximum").asText("") + "]");
        }
        if (value.isTextual()) {
            if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                problems.add(path + " does not match " + schema.get("pattern").asText());
            }
            if (schema.has("minLength") && value.asText().length() < schema.get("minLength").asInt()) {
                problems.add(path + " is shorter than " + schema.get("minLength").asInt());
            }
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            boolean closed = type.equals("object") && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean()
                    && (properties.isObject() || additional.isObject());
            value.fields().forEachRemaining(field -> {
                String at = path + (path.endsWith(" ") ? "" : ".") + field.getKey();
                if (properties.has(field.getKey())) {
                    checkSchema(field.getValue(), properties.get(field.getKey()), at, whole, problems);
                } else if (additional.isObject()) {
                    checkSchema(field.getValue(), additional, at, whole, problems);
                } else if (closed) {
                    problems.add(at + ": unknown field");
                }
            });
            schema.path("required").forEach(name -> {
                if (whole && !value.has(name.asText())) {
                    problems.add(path + " needs " + name.asText());
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                checkSchema(value.get(i), schema.get("items"), path + "[" + i + "]", whole, problems);
            }
        }
        schema.path("allOf").forEach(branch -> checkSchema(value, branch, path, whole, problems));
        long anyOf = StreamSupport.stream(schema.path("anyOf").spliterator(), false).filter(branch -> passes(value, branch, path, whole)).count();
        if (schema.has("anyOf") && anyOf == 0) {
            problems.add(path + " matches none of " + schema.get("anyOf"));
        }
        long oneOf = StreamSupport.stream(schema.path("oneOf").spliterator(), false).filter(branch -> passes(value, branch, path, whole)).count();
        if (schema.has("oneOf") && oneOf != 1) {
            problems.add(path + " matches " + oneOf + " of " + schema.get("oneOf") + ", not exactly one");
        }
        if (schema.has("not") && passes(value, schema.get("not"), path, whole)) {
            problems.add(path + " must not match " + schema.get("not"));
        }
    }

    private static boolean passes(JsonNode value, JsonNode schema, String path, boolean whole) {
        List<String> found = new ArrayList<>();
        checkSchema(value, schema, path, whole, found);
        return found.isEmpty();
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
            // the image Jib builds for the service: its name, and the same ports exposed
            Properties properties = applicationProperties(name);
            assertEquals(properties.getProperty("quarkus.container-image.group") + "/"
                    + properties.getProperty("quarkus.container-image.name", properties.getProperty("quarkus.application.name")),
                    container.getImage(), name + ": the image is the one Jib builds (the overlays give registry and tag)");
            assertEquals(new HashSet<>(ports.values()), Stream.of(properties.getProperty("quarkus.jib.ports", "").split(","))
                    .map(String::trim).map(Integer::valueOf).collect(Collectors.toSet()), name + ": quarkus.jib.ports are the container's ports");
        }
        assertGracePeriodAboveDrain(deployments, "smtp-ingress", "smtp-ingress/src/main/java/dev/mailgateway/ingress/IngressConfig.java", "smtp");
        assertGracePeriodAboveDrain(deployments, "pop3-access", "pop3-access/src/main/java/dev/mailgateway/pop3/Pop3Config.java", "pop3");
    }

    /** The pod's grace period is above the service's {@code <prefix>.shutdown-grace}, so its drain is never cut by SIGKILL. */
    private static void assertGracePeriodAboveDrain(List<Deployment> deployments, String name, String config, String prefix) throws IOException {
        Deployment deployment = deployments.stream().filter(d -> d.getMetadata().getName().equals(name)).findFirst().orElseThrow();
        long grace = durationDefaultSeconds(config, "shutdownGrace");
        assertTrue(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > grace,
                name + ": the pod's grace period is above " + prefix + ".shutdown-grace (" + grace + "s)");
    }

    private static int httpPort(String service) throws IOException {
        return Integer.parseInt(applicationProperties(service).getProperty("quarkus.http.port"));
    }

    private static Properties applicationProperties(String service) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(LocalStack.repositoryRoot().resolve(service + "/src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
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

    /**
     * Each service's image, as Jib builds it from application.properties: only when asked, as a numeric
     * non-root user (the Deployment's runAsUser), from the run-java.sh base image pinned to a release, with
     * a JVM that exits on OutOfMemoryError and whose heap, sized from the container's memory limit, is the
     * heap deploy/local runs the services with. The manifests leave those JVM options to the image.
     */
    @Test
    void everyServiceImageExitsOnOutOfMemoryAndSizesItsHeapFromTheLimit() throws IOException {
        List<Deployment> deployments = base(Deployment.class);
        assertEquals(3, deployments.size());
        for (Deployment deployment : deployments) {
            String name = deployment.getMetadata().getName();
            Properties properties = applicationProperties(name);
            assertEquals("false", properties.getProperty("quarkus.container-image.build"), name + ": a plain package builds no image");
            String user = properties.getProperty("quarkus.jib.user", "");
            assertTrue(user.matches("[1-9]\\d*"), name + ": quarkus.jib.user is a numeric non-root UID, not '" + user + "'");
            assertEquals(Long.valueOf(user), deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser(),
                    name + ": the Deployment runs as the image's user");
            String baseImage = properties.getProperty("quarkus.jib.base-jvm-image", "");
            assertTrue(baseImage.startsWith(RUN_JAVA_BASE_IMAGE) && baseImage.substring(RUN_JAVA_BASE_IMAGE.length()).matches("\\d+(\\.\\d+)+"),
                    name + ": " + baseImage + " is the JRE 17 run-java.sh image, pinned to a release");
            List<String> jvmArguments = Stream.of(properties.getProperty("quarkus.jib.jvm-arguments", "").split(",")).map(String::trim).toList();
            assertTrue(jvmArguments.contains(EXIT_ON_OOM), name + ": quarkus.jib.jvm-arguments has " + EXIT_ON_OOM);
            assertTrue(jvmArguments.containsAll(localHeapSizing()), name + ": quarkus.jib.jvm-arguments size the heap as deploy/local does, "
                    + localHeapSizing() + ", not " + jvmArguments);
            assertJvmOptionsLeftToTheImage(deployment, base(ConfigMap.class), "base", maxRamPercentage(name));
        }
    }

    /** The one -XX:MaxRAMPercentage of the service image's JVM arguments. */
    private static double maxRamPercentage(String service) throws IOException {
        List<Double> found = Stream.of(applicationProperties(service).getProperty("quarkus.jib.jvm-arguments", "").split(","))
                .map(argument -> MAX_RAM_PERCENTAGE.matcher(argument.trim())).filter(Matcher::matches)
                .map(m -> Double.valueOf(m.group(1))).toList();
        assertEquals(1, found.size(), service + ": quarkus.jib.jvm-arguments sizes the heap with one -XX:MaxRAMPercentage");
        return found.get(0);
    }

    /** -Xmx of deploy/local/lib.sh's SERVICE_JAVA_OPTS, in bytes: the heap the services are sized and measured with. */
    private static long localHeapBytes() throws IOException {
        Matcher xmx = Pattern.compile("(?m)^SERVICE_JAVA_OPTS=\\(.*-Xmx(\\d+)m\\b").matcher(Files.readString(LocalStack.repositoryRoot().resolve("deploy/local/lib.sh")));
        assertTrue(xmx.find(), "deploy/local/lib.sh gives the services an -Xmx in MiB");
        return Long.parseLong(xmx.group(1)) << 20;
    }

    /** The collector and heap sizing options of deploy/local/lib.sh (SMALL_FOOTPRINT) and the services' -Xms. */
    private static List<String> localHeapSizing() throws IOException {
        String lib = Files.readString(LocalStack.repositoryRoot().resolve("deploy/local/lib.sh"));
        Matcher gc = Pattern.compile("(?m)^SMALL_FOOTPRINT=\\((.*)\\)$").matcher(lib);
        Matcher xms = Pattern.compile("(?m)^SERVICE_JAVA_OPTS=\\(.*(-Xms\\d+m)\\b").matcher(lib);
        assertTrue(gc.find() && xms.find(), "deploy/local/lib.sh names SMALL_FOOTPRINT and gives the services an -Xms");
        List<String> options = new ArrayList<>(List.of(gc.group(1).split(" ")));
        options.add(xms.group(1));
        return options;
    }

    /**
     * No container sets a variable that would replace or override the image's JVM options, and the image's
     * MaxRAMPercentage of the container's memory limit is the local heap, to 1%: a limit changed without the
     * percentage (or the other way round) fails.
     */
    private static void assertJvmOptionsLeftToTheImage(Deployment deployment, List<ConfigMap> configMaps, String where, double maxRamPercentage)
            throws IOException {
        long localHeap = localHeapBytes();
        for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
            String what = where + ": " + deployment.getMetadata().getName() + "/" + container.getName();
            Set<String> set = new TreeSet<>(environment(container, configMaps).keySet());
            set.retainAll(JVM_OPTION_VARIABLES);
            assertEquals(Set.of(), set, what + ": the image's JVM options are not overridden");
            long limit = container.getResources().getLimits().get("memory").getNumericalAmount().longValueExact();
            double heap = limit * maxRamPercentage / 100;
            assertTrue(Math.abs(heap - localHeap) <= localHeap / 100.0, what + ": " + maxRamPercentage + "% of the " + (limit >> 20)
                    + " MiB limit is a heap of " + Math.round(heap / (1 << 20)) + " MiB, not the " + (localHeap >> 20) + " MiB of deploy/local");
        }
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
        JsonNode scaled = custom("ScaledObject", "delivery-worker").yaml();
        assertTrue(deployments.containsKey(scaled.path("spec").path("scaleTargetRef").path("name").asText()));
        int partitions = custom("KafkaTopic", "mail.inbound").yaml().path("spec").path("partitions").asInt();
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
                    assertTrue(Set.of("mail-admin", "mail-db-app", "pop3-apop", "mail-dkim").contains(e.getValueFrom().getSecretKeyRef().getName()), e.getName()));
        }
        long maxMessage = Long.parseLong(base(ConfigMap.class).get(0).getData().get("SMTP_MAX_MESSAGE_SIZE"));
        long maxRecord = custom("KafkaTopic", "mail.inbound").yaml().path("spec").path("config").path("max.message.bytes").asLong();
        assertTrue(maxRecord > maxMessage, "a record holds a message of the advertised SIZE and its envelope");
    }

    private static Manifest custom(String kind, String name) {
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
                images.add(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
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
            // one entry per image gives the registry the images were pushed to, and their tag
            kustomization.getImages().forEach(image -> {
                assertTrue(images.contains(image.getName()), overlay + ": image " + image.getName());
                assertTrue(image.getNewName() != null && image.getNewName().matches("[^/\\s]+(/[^/\\s]+)*/" + Pattern.quote(image.getName())),
                        overlay + ": " + image.getName() + " is renamed to <registry>/" + image.getName() + ", not " + image.getNewName());
                assertTrue(image.getNewTag() != null && image.getNewTag().matches("[\\w][\\w.-]{0,127}") && !image.getNewTag().equals("latest"),
                        overlay + ": " + image.getName() + " has a tag, not " + image.getNewTag());
            });
            assertEquals(images, kustomization.getImages().stream().map(i -> i.getName()).collect(Collectors.toSet()),
                    overlay + " sets every image");
        }
    }

    /**
     * A manifest with a typo, a field its kind no longer has, or a value of the wrong type fails the
     * checks above: each mutation of a real manifest must be refused.
     */
    @Test
    void aTypoARemovedFieldOrAWrongTypeIsRefused() throws Exception {
        List<String> passed = new ArrayList<>();
        for (String[] mutation : new String[][] {
                {"base/kafka/kafka.yaml", "/spec/kafka/verison", "\"4.3.1\""},                        // typo
                {"base/kafka/kafka.yaml", "/spec/kafka/resources", "{\"requests\": {\"memory\": \"2Gi\"}}"}, // gone in Strimzi's v1
                {"base/kafka/kafka.yaml", "/apiVersion", "\"kafka.strimzi.io/v1beta2\""},              // removed by Strimzi 1.0
                {"base/kafka/kafka.yaml", "/spec/kafka/listeners/0/port", "\"9092\""},                 // wrong type
                {"base/kafka/topic-inbound.yaml", "/spec/partitions", "\"12\""},
                {"base/kafka/node-pool.yaml", "/spec/roles/0", "\"zookeeper\""},                        // not in the enum
                {"base/kafka/node-pool.yaml", "/spec/replicas", "null"},                                // required
                {"base/postgres/cluster.yaml", "/spec/monitoring", "{\"enablePodMonitr\": true}"},
                {"base/postgres/cluster.yaml", "/spec/instances", "\"3\""},
                {"overlays/prod/patches/postgres.yaml", "/spec/postgresql/synchronous/method", "\"all\""},
                {"base/delivery-worker/scaled-object.yaml", "/spec/cooldownPeriod", "\"300\""},
                {"base/delivery-worker/scaled-object.yaml", "/spec/triggers/0/metadata/lagThreshold", "200"}, // KEDA reads strings
                {"base/delivery-worker/scaled-object.yaml", "/spec/minReplicas", "2"},                  // an HPA's field, not KEDA's
                {"base/smtp-ingress/deployment.yaml", "/spec/template/spec/containers/0/resource", "{}"},
                {"base/smtp-ingress/hpa.yaml", "/spec/minReplicas", "\"2\""},
                {"base/smtp-ingress/network-policy.yaml", "/spec/egres", "[]"},
                {"base/kafka/pod-monitor-exporter.yaml", "/spec/podMetricsEndpoints/0/prot", "\"tcp-prometheus\""},
                {"base/monitoring/prometheus-rule.yaml", "/spec/groups/0/rules/0/for", "5"},
                {"components/cluster-settings/kustomization.yaml", "/replacement", "[]"}}) {
            JsonNode document = YAML.readTree(K8S.resolve(mutation[0]).toFile()).deepCopy();
            JsonPointer at = JsonPointer.compile(mutation[1]);
            JsonNode parent = document.at(at.head());
            JsonNode value = new ObjectMapper().readTree(mutation[2]);
            if (parent instanceof ObjectNode object) {
                if (value.isNull()) {
                    object.remove(at.last().getMatchingProperty());
                } else {
                    object.set(at.last().getMatchingProperty(), value);
                }
            } else {
                ((ArrayNode) parent).set(at.last().getMatchingIndex(), value);
            }
            if (problems(document, mutation[0]).isEmpty()) {
                passed.add(String.join(" ", mutation));
            }
        }
        assertEquals(List.of(), passed, "mutations the checks let through");
    }

    /** The cluster runs the Kafka the local stack runs, one that Strimzi 1.2 supports. */
    @Test
    void kafkaIsTheLocalBrokersVersionAndOneStrimziRuns() throws IOException {
        JsonNode kafka = custom("Kafka", "mail-kafka").yaml().path("spec").path("kafka");
        String version = kafka.path("version").asText();
        assertTrue(STRIMZI_KAFKA_VERSIONS.contains(version), version + " is one of Strimzi 1.2's " + STRIMZI_KAFKA_VERSIONS);
        String minor = version.substring(0, version.lastIndexOf('.'));
        assertTrue(kafka.path("metadataVersion").asText().startsWith(minor + "-IV"), "metadataVersion is " + minor + "'s");
        String pom = Files.readString(LocalStack.repositoryRoot().resolve("deploy/local/kafka/pom.xml"));
        Matcher broker = Pattern.compile("<artifactId>kafka_2\\.13</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(broker.find(), "deploy/local/kafka/pom.xml names kafka_2.13");
        assertEquals(version, broker.group(1), "deploy/local runs the cluster's Kafka");
    }

    /**
     * Who owns the replica count: an HPA or KEDA, never the Deployment too (a re-apply would reset the
     * scale the autoscaler chose). KEDA's floor stays above zero, since the workers report the queue
     * depth that would wake them; then cooldownPeriod, which only times the scale to zero, would do
     * nothing, so none is set. Anything reading delivery_queue_depth takes max(): each worker reports
     * the whole queue.
     */
    @Test
    void autoscalersOwnTheScale() {
        Set<String> scaled = new HashSet<>();
        base(HorizontalPodAutoscaler.class).forEach(h -> scaled.add(h.getSpec().getScaleTargetRef().getName()));
        JsonNode scaledObject = custom("ScaledObject", "delivery-worker").yaml().path("spec");
        scaled.add(scaledObject.path("scaleTargetRef").path("name").asText());
        assertEquals(Set.of("smtp-ingress", "delivery-worker", "pop3-access"), scaled);
        for (Manifest m : MANIFESTS) {
            if (m.kind().equals("Deployment")) {
                assertTrue(m.yaml().path("spec").path("replicas").isMissingNode(), K8S.relativize(m.file()) + ": spec.replicas");
            }
            if (m.kind().equals("ScaledObject")) {
                JsonNode spec = m.yaml().path("spec");
                assertTrue(spec.path("cooldownPeriod").isMissingNode() || spec.path("minReplicaCount").asInt(-1) == 0,
                        K8S.relativize(m.file()) + ": cooldownPeriod only acts on a scale to zero");
                assertTrue(spec.path("minReplicaCount").isMissingNode() || spec.path("minReplicaCount").asInt() >= 1,
                        K8S.relativize(m.file()) + ": the workers never scale to zero");
            }
        }
        String promql = trigger(custom("ScaledObject", "delivery-worker").yaml(), "prometheus").path("query").asText() + "\n"
                + base(ConfigMap.class).stream().flatMap(c -> c.getData().values().stream()).collect(Collectors.joining("\n"))
                + custom("PrometheusRule", "mail-gateway").yaml().toString();
        Matcher uses = Pattern.compile("(\\w*)\\(?\\s*delivery_queue_depth\\b").matcher(promql);
        int count = 0;
        while (uses.find()) {
            assertEquals("max", uses.group(1), "delivery_queue_depth is read with max(): " + uses.group());
            count++;
        }
        assertTrue(count >= 2, "the trigger and the dashboard read delivery_queue_depth");
    }

    /**
     * Prometheus scrapes what the alerts read: the Kafka exporter (Strimzi names its pods
     * <cluster>-kafka-exporter, metrics on tcp-prometheus) and every PostgreSQL instance (CloudNativePG's
     * cnpg.io/cluster label, port metrics), through our PodMonitors rather than the operator's
     * deprecated one; and PostgreSQL runs a pinned image build, not a rolling tag.
     */
    @Test
    void monitorsScrapeWhatTheOperatorsRun() {
        JsonNode kafka = custom("Kafka", "mail-kafka").yaml();
        assertTrue(kafka.path("spec").has("kafkaExporter"));
        JsonNode exporter = custom("PodMonitor", "mail-kafka-exporter").yaml().path("spec");
        assertEquals(Map.of("strimzi.io/cluster", "mail-kafka", "strimzi.io/name", "mail-kafka-kafka-exporter"),
                YAML.convertValue(exporter.path("selector").path("matchLabels"), Map.class));
        assertEquals("tcp-prometheus", exporter.path("podMetricsEndpoints").get(0).path("port").asText());
        JsonNode cluster = custom("Cluster", "mail-db").yaml().path("spec");
        JsonNode database = custom("PodMonitor", "mail-db").yaml().path("spec");
        assertEquals(Map.of("cnpg.io/cluster", "mail-db"), YAML.convertValue(database.path("selector").path("matchLabels"), Map.class));
        assertEquals("metrics", database.path("podMetricsEndpoints").get(0).path("port").asText());
        for (Manifest m : MANIFESTS) {
            if (m.kind().equals("Cluster")) {
                assertTrue(m.yaml().path("spec").path("monitoring").path("enablePodMonitor").isMissingNode(), K8S.relativize(m.file()) + ": deprecated");
                assertTrue(m.yaml().path("spec").path("minSyncReplicas").isMissingNode() && m.yaml().path("spec").path("maxSyncReplicas").isMissingNode(),
                        K8S.relativize(m.file()) + ": the legacy synchronous settings");
            }
        }
        assertTrue(cluster.path("imageName").asText().matches(".*:\\d+\\.\\d+-\\d{12}-(minimal|standard)-\\w+"),
                cluster.path("imageName").asText() + " is one immutable build (major.minor-timestamp-flavour-os)");
        JsonNode prod = MANIFESTS.stream().filter(m -> m.file().equals(K8S.resolve("overlays/prod/patches/postgres.yaml"))).findFirst().orElseThrow()
                .yaml().path("spec");
        assertEquals(1, prod.path("postgresql").path("synchronous").path("number").asInt(), "a commit waits for one standby");
        assertTrue(prod.path("instances").asInt() > 1 + prod.path("postgresql").path("synchronous").path("number").asInt(),
                "one standby may be down without stopping writes");
    }

    /**
     * In: the public mail ports from anywhere; the HTTP port (health, metrics, the APIs) only from the
     * monitoring namespace or from pods labelled as API clients. Out: DNS, Kafka, PostgreSQL, and port 25
     * for the worker alone.
     */
    @Test
    void networkPoliciesHoldBothWays() {
        for (NetworkPolicy policy : base(NetworkPolicy.class)) {
            String name = policy.getMetadata().getName();
            assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes(), name);
            for (var rule : policy.getSpec().getIngress()) {
                boolean http = rule.getPorts().stream().anyMatch(p -> "http".equals(p.getPort().getStrVal()));
                if (!http) {
                    continue;
                }
                assertEquals(1, rule.getPorts().size(), name + ": the HTTP port has rules of its own");
                assertEquals(1, rule.getFrom().size(), name + ": one peer per HTTP rule");
                var peer = rule.getFrom().get(0);
                // Prometheus's pods of the monitoring namespace, not the whole namespace: the API shares the port
                boolean monitoring = peer.getNamespaceSelector() != null && peer.getPodSelector() != null
                        && Map.of("app.kubernetes.io/name", "prometheus").equals(peer.getPodSelector().getMatchLabels())
                        && peer.getNamespaceSelector().getMatchExpressions().size() == 1
                        && peer.getNamespaceSelector().getMatchExpressions().get(0).getKey().equals("kubernetes.io/metadata.name")
                        && peer.getNamespaceSelector().getMatchExpressions().get(0).getValues().size() == 1;
                boolean apiClients = peer.getNamespaceSelector() == null && peer.getPodSelector() != null
                        && Map.of("mail-gateway/api-client", "true").equals(peer.getPodSelector().getMatchLabels());
                assertTrue(monitoring || apiClients, name + ": HTTP from " + peer);
            }
            Map<Integer, List<String>> egress = new HashMap<>();
            for (var rule : policy.getSpec().getEgress()) {
                for (var port : rule.getPorts()) {
                    egress.computeIfAbsent(port.getPort().getIntVal(), p -> new ArrayList<>())
                            .add((port.getProtocol() == null ? "TCP" : port.getProtocol()) + " "
                                    + rule.getTo().stream().map(to -> String.valueOf(to.getPodSelector().getMatchLabels())).toList());
                }
            }
            assertEquals(List.of("UDP []", "TCP []"), egress.get(53), name + ": DNS");
            assertEquals(List.of("TCP [{cnpg.io/cluster=mail-db}]"), egress.get(5432), name + ": PostgreSQL");
            if (!name.equals("pop3-access")) {
                assertEquals(List.of("TCP [{strimzi.io/cluster=mail-kafka}]"), egress.get(9092), name + ": Kafka");
            }
            assertEquals(name.equals("delivery-worker") ? List.of("TCP []") : null, egress.get(25), name + ": SMTP out");
        }
    }

    /** Kustomize itself (kubectl's), where the machine has it: both overlays build, and what they build passes the same checks. */
    @Test
    void kustomizeBuildsBothOverlays() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<JsonNode> documents = rendered(overlay);
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
                problems.addAll(problems(document, where));
                Object typed = MODELS.containsKey(key) ? STRICT.treeToValue(document, MODELS.get(key)) : null;
                if (typed instanceof Deployment deployment) {
                    deployments.add(deployment);
                } else if (typed instanceof ConfigMap configMap) {
                    configMaps.add(configMap);
                }
            }
            assertEquals(List.of(), problems);
            assertEquals(3, kinds.get("Deployment"), overlay);
            for (Deployment deployment : deployments) {
                assertJvmOptionsLeftToTheImage(deployment, configMaps, overlay, maxRamPercentage(deployment.getMetadata().getName()));
            }
            assertEquals(3, kinds.get("KafkaTopic"), overlay);
            assertEquals(overlay.equals("dev") ? 1 : null, kinds.get("Secret"), overlay + ": only dev generates a Secret");
        }
    }

    /**
     * What each overlay's components/cluster-settings wrote in: KEDA reaches Kafka by a name that resolves
     * from KEDA's namespace, and Prometheus at the overlay's address; every monitor and rule carries the
     * overlay's selection label; the NetworkPolicies admit the overlay's monitoring namespace.
     */
    @Test
    void theOverlaysWireInTheirNamespaceAndTheirPrometheus() throws Exception {
        for (String overlay : List.of("dev", "prod")) {
            List<JsonNode> documents = rendered(overlay);
            JsonNode settings = YAML.readTree(K8S.resolve("overlays").resolve(overlay).resolve("cluster-settings.yaml").toFile()).path("data");
            String namespace = documents.stream().filter(d -> d.path("kind").asText().equals("Namespace")).findFirst().orElseThrow()
                    .path("metadata").path("name").asText();
            JsonNode kafka = only(documents, "Kafka");
            JsonNode plain = kafka.path("spec").path("kafka").path("listeners").get(0);
            assertEquals(kafka.path("metadata").path("name").asText() + "-kafka-bootstrap." + namespace + ".svc.cluster.local:" + plain.path("port").asInt(),
                    trigger(only(documents, "ScaledObject"), "kafka").path("bootstrapServers").asText(), overlay + ": KEDA's Kafka address");
            assertEquals(settings.path("prometheusAddress").asText(), trigger(only(documents, "ScaledObject"), "prometheus").path("serverAddress").asText(),
                    overlay + ": KEDA's Prometheus address");
            for (JsonNode document : documents) {
                String what = overlay + ": " + document.path("kind").asText() + " " + document.path("metadata").path("name").asText();
                if (Set.of("ServiceMonitor", "PodMonitor", "PrometheusRule").contains(document.path("kind").asText())) {
                    assertEquals(settings.path("prometheusRelease").asText(), document.path("metadata").path("labels").path("release").asText(), what);
                }
                if (document.path("kind").asText().equals("NetworkPolicy")) {
                    assertEquals(List.of(settings.path("monitoringNamespace").asText()),
                            document.findValues("values").stream().flatMap(v -> StreamSupport.stream(v.spliterator(), false)).map(JsonNode::asText).toList(), what);
                }
                assertFalse(document.path("metadata").path("name").asText().equals("cluster-settings"), what + ": local config is not applied");
            }
        }
    }

    private static JsonNode only(List<JsonNode> documents, String kind) {
        List<JsonNode> found = documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertEquals(1, found.size(), kind);
        return found.get(0);
    }

    private static JsonNode trigger(JsonNode scaledObject, String type) {
        return StreamSupport.stream(scaledObject.path("spec").path("triggers").spliterator(), false)
                .filter(t -> t.path("type").asText().equals(type)).findFirst().orElseThrow().path("metadata");
    }

    private static final Map<String, List<JsonNode>> RENDERED = new HashMap<>();

    /** kubectl kustomize overlays/NAME, once per run; skips the test where kubectl is not installed. */
    private static List<JsonNode> rendered(String overlay) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl"))),
                "kubectl is not installed");
        if (!RENDERED.containsKey(overlay)) {
            Process kustomize = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays").resolve(overlay).toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<JsonNode> documents;
            try (var parser = YAML.getFactory().createParser(kustomize.getInputStream())) {
                documents = YAML.readValues(parser, JsonNode.class).readAll();
            }
            assertEquals(0, kustomize.waitFor(), "kubectl kustomize overlays/" + overlay);
            RENDERED.put(overlay, documents);
        }
        return RENDERED.get(overlay);
    }
}
