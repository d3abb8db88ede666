package dev.mailgateway.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small authoritative DNS server on a loopback UDP port (RFC 1035 wire
 * format), for tests of the worker's MX resolution: it serves the MX, A and
 * AAAA records a test puts in, answers NXDOMAIN for names it does not know,
 * SERVFAIL for names marked broken, and nothing at all for names marked
 * silent (a resolver timeout).
 */
public final class ZoneServer implements AutoCloseable {

    private static final int TYPE_A = 1;
    private static final int TYPE_MX = 15;
    private static final int TYPE_AAAA = 28;
    private static final int RCODE_SERVFAIL = 2;
    private static final int RCODE_NXDOMAIN = 3;

    private record Resource(int type, byte[] data) {
    }

    private final Map<String, List<Resource>> records = new ConcurrentHashMap<>();
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final DatagramSocket socket;

    public ZoneServer() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        Thread thread = new Thread(this::serve, "zone-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code host:port} for {@code delivery.dns.servers}. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public ZoneServer mx(String domain, int preference, String host) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(preference >> 8);
        data.write(preference);
        writeName(data, host);
        return add(domain, TYPE_MX, data.toByteArray());
    }

    /** RFC 7505: one MX of preference 0 naming the root. */
    public ZoneServer nullMx(String domain) {
        return mx(domain, 0, "");
    }

    public ZoneServer a(String host, String address) {
        return add(host, address.contains(":") ? TYPE_AAAA : TYPE_A, addressBytes(address));
    }

    /** The name exists, but the server fails on it: SERVFAIL. */
    public ZoneServer broken(String name) {
        broken.add(key(name));
        return this;
    }

    /** Queries for the name get no answer at all. */
    public ZoneServer silent(String name) {
        silent.add(key(name));
        return this;
    }

    private ZoneServer add(String name, int type, byte[] data) {
        records.computeIfAbsent(key(name), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(new Resource(type, data));
        return this;
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(byte[] query) {
        // header (12 octets), then one question: name, type, class
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (query[at] != 0) {
            int length = query[at] & 0xff;
            name.append(name.length() == 0 ? "" : ".").append(new String(query, at + 1, length, java.nio.charset.StandardCharsets.US_ASCII));
            at += length + 1;
        }
        int questionEnd = at + 5;
        int type = ((query[at + 1] & 0xff) << 8) | (query[at + 2] & 0xff);
        String key = key(name.toString());
        if (silent.contains(key)) {
            return null;
        }
        List<Resource> matching = new ArrayList<>();
        List<Resource> known = records.get(key);
        int rcode = broken.contains(key) ? RCODE_SERVFAIL : known == null ? RCODE_NXDOMAIN : 0;
        if (rcode == 0) {
            known.stream().filter(r -> r.type() == type).forEach(matching::add);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]);
        out.write(0x84 | (query[2] & 0x01)); // QR, AA, RD copied
        out.write(0x80 | rcode);              // RA
        writeShort(out, 1);
        writeShort(out, matching.size());
        writeShort(out, 0);
        writeShort(out, 0);
        out.write(query, 12, questionEnd - 12);
        for (Resource resource : matching) {
            writeShort(out, 0xC00C); // the question's name
            writeShort(out, resource.type());
            writeShort(out, 1);      // IN
            writeShort(out, 0);
            writeShort(out, 60);     // TTL
            writeShort(out, resource.data().length);
            out.writeBytes(resource.data());
        }
        return out.toByteArray();
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        for (String label : name.isEmpty() ? new String[0] : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.write(0);
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    private static byte[] addressBytes(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: " + address, e);
        }
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        socket.close();
    }
}
