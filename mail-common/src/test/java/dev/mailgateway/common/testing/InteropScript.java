package dev.mailgateway.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Runs an independent implementation's script (under {@code mail-common/src/test/python/}) on a list
 * of jobs: {"jobs": [...]} in, one JSON answer per job out. Debian's interpreter runs it, the one the
 * Debian packages are installed for ({@link LocalStack#ensureTestTools()}); a pyenv python3 first on
 * PATH lacks them. Input, output and errors go through files, not pipes: a script that stops reading
 * or writing cannot block the test, which gives up after {@link #SECONDS} and kills it. A missing
 * package fails the test, it never skips it.
 */
public final class InteropScript {

    /** Debian's interpreter. */
    public static final String PYTHON = "/usr/bin/python3";
    /** Longest wait for one run: a few seconds here, many times that on a loaded CI machine. */
    public static final int SECONDS = 120;

    private InteropScript() {
    }

    /**
     * Runs the jobs in one process of the script: {"jobs": [...]} in, a list of as many answers out.
     *
     * @param name the script's file name under mail-common/src/test/python/
     */
    public static JsonArray run(String name, JsonArray jobs) {
        JsonArray answers = run(name, new JsonObject().put("jobs", jobs));
        assertEquals(jobs.size(), answers.size());
        assertFalse(answers.isEmpty());
        return answers;
    }

    /** Runs the script once on {@code input}; its output is a JSON list. */
    public static JsonArray run(String name, JsonObject input) {
        Path script = LocalStack.repositoryRoot().resolve("mail-common/src/test/python").resolve(name);
        Path dir = null;
        try {
            dir = Files.createTempDirectory("interop");
            Path in = Files.write(dir.resolve("input.json"), input.encode().getBytes(StandardCharsets.UTF_8));
            Path out = dir.resolve("answers.json");
            Path err = dir.resolve("errors.txt");
            Process process = new ProcessBuilder(PYTHON, script.toString())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(name + " did not finish in " + SECONDS + " s:\n" + Files.readString(err));
            }
            assertEquals(0, process.exitValue(), name + " failed (is deploy/local/test-tools up to date?):\n" + Files.readString(err));
            return new JsonArray(Files.readString(out));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + PYTHON + " " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            removeQuietly(dir);
        }
    }

    private static void removeQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary folder left behind is the system's to clean
        }
    }
}
