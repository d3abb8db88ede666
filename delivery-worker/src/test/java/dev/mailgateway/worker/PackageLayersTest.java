package dev.mailgateway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The worker's packages in layers, top to bottom, as ARCHITECTURE.md's package
 * picture shows them: a package imports only from layers below its own, so a
 * change to the queue manager never reaches into the SMTP client's callers,
 * and metrics and config, at the bottom, take numbers rather than domain types.
 */
class PackageLayersTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/mailgateway/worker");
    private static final String ROOT = "(root)";
    /** Entry points (REST, Kafka, the schema migrated at start-up), the queue manager, what it drives, the queue table and events, config and metrics. */
    private static final Map<String, Integer> LAYER = Map.of(
            "api", 0, "inbound", 0, "schema", 0,
            "qmgr", 1,
            "remote", 2, "dsn", 2, "signing", 2,
            "queue", 3, "events", 3,
            ROOT, 4);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.mailgateway\\.worker\\.((?:[a-z]+\\.)*)[A-Z]", Pattern.MULTILINE);

    @Test
    void noPackageImportsOneAboveIt() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        TreeSet<String> packages = new TreeSet<>();
        sources.forEach(file -> packages.add(packageOf(SOURCES.relativize(file.getParent()).toString())));
        assertEquals(new TreeSet<>(LAYER.keySet()), packages, "every package has a layer");
        List<String> upward = new ArrayList<>();
        for (Path file : sources) {
            String from = packageOf(SOURCES.relativize(file.getParent()).toString());
            Matcher imported = IMPORT.matcher(Files.readString(file));
            while (imported.find()) {
                String to = imported.group(1).isEmpty() ? ROOT : imported.group(1).split("\\.")[0];
                if (!to.equals(from) && LAYER.get(to) <= LAYER.get(from)) {
                    upward.add(file.getFileName() + " (" + from + ") imports " + to);
                }
            }
        }
        assertEquals(List.of(), upward);
    }

    private static String packageOf(String relative) {
        return relative.isEmpty() ? ROOT : relative.split("/")[0];
    }
}
