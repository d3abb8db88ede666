package dev.mailgateway.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain socket client for SMTP and POP3 transcript tests: send exact bytes, read exact reply lines. */
public final class LineClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    public LineClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    public void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** One reply line, without its CRLF; null at end of stream. */
    public String line() throws IOException {
        return in.readLine();
    }

    /** Reads a line and asserts it, e.g. {@code expect("250 2.1.0 Ok")}. */
    public void expect(String line) throws IOException {
        assertEquals(line, line());
    }

    /** Reads one reply line and asserts its start, e.g. {@code expectStart("250 2.0.0 Ok: queued as ")}; returns the line. */
    public String expectStart(String prefix) throws IOException {
        String line = line();
        if (line == null || !line.startsWith(prefix)) {
            throw new AssertionError("expected a line starting with '" + prefix + "' but got '" + line + "'");
        }
        return line;
    }

    /** Skips an SMTP reply, all its lines (EHLO's too). */
    public void skipReply() throws IOException {
        String line;
        do {
            line = line();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
    }

    /** The lines of a POP3 multi-line response up to its "." line, still byte-stuffed, each without CRLF. */
    public java.util.List<String> linesUntilDot() throws IOException {
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (String line = line(); !".".equals(line); line = line()) {
            if (line == null) {
                throw new AssertionError("connection closed before the terminating '.' line");
            }
            lines.add(line);
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
