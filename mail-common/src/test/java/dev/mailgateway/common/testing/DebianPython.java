package dev.mailgateway.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a helper script of src/test/python with Debian's interpreter, the one
 * the Debian packages the interop tests check against are installed for (a
 * pyenv python3 first on PATH lacks them). Input, output and errors go
 * through files, not pipes: a process that stops reading or writing cannot
 * block the test, which gives up after the given time and kills it. A
 * missing package fails the test; it never skips it.
 */
public final class DebianPython {

    private static final String PYTHON = "/usr/bin/python3";

    private DebianPython() {
    }

    /**
     * @param script a file name under src/test/python
     * @param input the script's standard input
     * @param dir a folder for the input, output and error files
     * @param seconds the longest wait
     * @param packages the Debian packages the script needs, for the failure message
     * @return the script's standard output
     */
    public static String run(String script, String input, Path dir, int seconds, String packages) {
        // under the module's directory: Maven's basedir, or the working directory when run without Maven
        Path path = Path.of(System.getProperty("basedir", "")).resolve("src/test/python").resolve(script);
        try {
            Path in = Files.write(dir.resolve(script + ".in"), input.getBytes(StandardCharsets.UTF_8));
            Path out = dir.resolve(script + ".out");
            Path err = dir.resolve(script + ".err");
            Process process = new ProcessBuilder(PYTHON, path.toString())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(script + " did not finish in " + seconds + " s:\n" + Files.readString(err));
            }
            assertEquals(0, process.exitValue(), script + " failed (apt-get install " + packages + "?):\n" + Files.readString(err));
            return Files.readString(out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + PYTHON + " " + path + " (apt-get install python3 " + packages + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
