package dev.mailgateway.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A socket client for SMTP and POP3 transcript tests: send exact bytes, read
 * exact reply lines; over TLS from the start or after STARTTLS / STLS, with
 * the JDK's TLS client trusting the local self-signed pair.
 */
public final class LineClient implements AutoCloseable {

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;

    public LineClient(int port) throws IOException {
        use(new Socket("127.0.0.1", port));
    }

    private LineClient(Socket socket) throws IOException {
        use(socket);
    }

    /** A client that speaks TLS from the first byte (SMTP submissions, POP3S). */
    public static LineClient implicitTls(int port) throws Exception {
        SSLSocket tls = (SSLSocket) trustingContext().getSocketFactory().createSocket("127.0.0.1", port);
        tls.startHandshake();
        return new LineClient(tls);
    }

    /** The TLS handshake on this connection, after the server said yes to STARTTLS or STLS. */
    public void startTls() throws Exception {
        SSLSocket tls = (SSLSocket) trustingContext().getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
        tls.startHandshake();
        use(tls);
    }

    public boolean isEncrypted() {
        return socket instanceof SSLSocket;
    }

    private void use(Socket s) throws IOException {
        socket = s;
        socket.setSoTimeout(30_000);
        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out = s.getOutputStream();
    }

    /** The local pair is self-signed: the tests trust whatever the server shows. */
    public static SSLContext trustingContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String type) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String type) {
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
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
