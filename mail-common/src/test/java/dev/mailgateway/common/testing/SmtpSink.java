package dev.mailgateway.common.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scriptable SMTP server on one loopback address, standing in for a
 * remote MX in tests: it answers as the test says (a greeting, the EHLO
 * extensions, a reply per RCPT and per end of data), keeps every message
 * it accepted with its envelope and exact bytes, and counts connections.
 * One thread per connection; lines answered in order, so a pipelining
 * client is served as RFC 2920 requires.
 */
public final class SmtpSink implements AutoCloseable {

    /** A message the sink accepted: the MAIL and RCPT lines as sent and the data, un-stuffed, with CRLF line ends. */
    public record Received(String mailLine, List<String> rcptLines, byte[] data) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile String greeting = "220 sink.test ESMTP";
    private volatile List<String> extensions = List.of("PIPELINING", "SIZE 52428800", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "DSN");
    private volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 ok";
    private volatile Function<Received, String> dataReply = message -> "250 2.0.0 queued";

    public SmtpSink(String host, int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, port));
        Thread acceptor = new Thread(this::accept, "smtp-sink-" + host);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public SmtpSink greeting(String line) {
        greeting = line;
        return this;
    }

    /** The EHLO keywords offered, e.g. without "8BITMIME"; an empty list still answers EHLO. */
    public SmtpSink extensions(List<String> keywords) {
        extensions = List.copyOf(keywords);
        return this;
    }

    /** The reply line for each RCPT, given the address inside the angle brackets. */
    public SmtpSink onRcpt(Function<String, String> reply) {
        rcptReply = reply;
        return this;
    }

    /** The reply line to the end of data; a 2xx keeps the message. */
    public SmtpSink onData(Function<Received, String> reply) {
        dataReply = reply;
        return this;
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Every command line the sink read, in order. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    public int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                Thread session = new Thread(() -> serve(socket), "smtp-sink-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream()); OutputStream out = socket.getOutputStream()) {
            reply(out, greeting);
            if (!greeting.startsWith("2")) {
                return;
            }
            String mail = null;
            List<String> rcpts = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                commands.add(line);
                String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
                switch (verb) {
                    case "EHLO" -> {
                        StringBuilder answer = new StringBuilder("250" + (extensions.isEmpty() ? " " : "-") + "sink.test");
                        for (int i = 0; i < extensions.size(); i++) {
                            answer.append("\r\n250").append(i == extensions.size() - 1 ? ' ' : '-').append(extensions.get(i));
                        }
                        reply(out, answer.toString());
                    }
                    case "HELO" -> reply(out, "250 sink.test");
                    case "MAIL" -> {
                        mail = line;
                        rcpts.clear();
                        reply(out, "250 2.1.0 ok");
                    }
                    case "RCPT" -> {
                        String answer = mail == null ? "503 5.5.1 MAIL first" : rcptReply.apply(addressOf(line));
                        if (answer.startsWith("2")) {
                            rcpts.add(line);
                        }
                        reply(out, answer);
                    }
                    case "DATA" -> {
                        if (mail == null || rcpts.isEmpty()) {
                            reply(out, "554 5.5.1 no valid recipients");
                            continue;
                        }
                        reply(out, "354 go ahead");
                        Received message = new Received(mail, List.copyOf(rcpts), readData(in));
                        String answer = dataReply.apply(message);
                        if (answer.startsWith("2")) {
                            received.add(message);
                        }
                        mail = null;
                        reply(out, answer);
                    }
                    case "RSET" -> {
                        mail = null;
                        rcpts.clear();
                        reply(out, "250 2.0.0 ok");
                    }
                    case "NOOP" -> reply(out, "250 2.0.0 ok");
                    case "QUIT" -> {
                        reply(out, "221 2.0.0 bye");
                        return;
                    }
                    default -> reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away: nothing to keep
        }
    }

    private static String addressOf(String rcptLine) {
        int open = rcptLine.indexOf('<');
        int close = rcptLine.indexOf('>', open + 1);
        return open < 0 || close < 0 ? "" : rcptLine.substring(open + 1, close);
    }

    /** DATA up to the line ".", the leading dot of stuffed lines removed (RFC 5321 section 4.5.2). */
    private static byte[] readData(InputStream in) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b != '\n') {
                continue;
            }
            byte[] bytes = line.toByteArray();
            line.reset();
            if (bytes.length == 3 && bytes[0] == '.' && bytes[1] == '\r') {
                return data.toByteArray();
            }
            int from = bytes.length > 0 && bytes[0] == '.' ? 1 : 0;
            data.write(bytes, from, bytes.length - from);
        }
        throw new IOException("connection closed inside DATA");
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    private static void reply(OutputStream out, String lines) throws IOException {
        out.write((lines + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
