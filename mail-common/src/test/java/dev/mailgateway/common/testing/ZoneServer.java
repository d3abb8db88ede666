package dev.mailgateway.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small authoritative DNS server on loopback, UDP and TCP on one port
 * (RFC 1035 wire format, RFC 1035 section 4.2.2 length prefix over TCP), for
 * tests of the resolver and the worker's MX resolution: it serves the MX, A,
 * AAAA, TXT and PTR records a test puts in, with the TTLs it chooses, answers
 * NXDOMAIN for names it does not know, SERVFAIL for names marked broken,
 * nothing at all for names marked silent (a resolver timeout), and TC=1
 * without records over UDP for names marked truncated (the full answer over
 * TCP). Negative answers carry an SOA only for names given one, so only
 * those may be cached (RFC 2308 section 5). It counts the queries per name
 * and type.
 */
public final class ZoneServer implements AutoCloseable {

    public static final int TYPE_A = 1;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_MX = 15;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    /** The TTL of records added without one. */
    public static final int DEFAULT_TTL = 60;
    private static final int RCODE_SERVFAIL = 2;
    private static final int RCODE_NXDOMAIN = 3;

    private record Resource(int type, byte[] data, int ttl) {
    }

    private record Soa(int ttl, int minimum) {
    }

    /** A record in an answer; {@code owner} null for the question's name. */
    private record Answer(String owner, Resource resource) {
    }

    private final Map<String, List<Resource>> records = new ConcurrentHashMap<>();
    private final Map<String, Soa> soas = new ConcurrentHashMap<>();
    private final Set<String> broken = ConcurrentHashMap.newKeySet();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private final Set<String> truncated = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> tcpQueries = new ConcurrentHashMap<>();
    private final DatagramSocket socket;
    private final ServerSocket tcp;

    public ZoneServer() throws IOException {
        DatagramSocket udp = null;
        ServerSocket stream = null;
        for (int attempt = 0; stream == null; attempt++) {
            udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            try {
                stream = new ServerSocket();
                stream.bind(new InetSocketAddress("127.0.0.1", udp.getLocalPort()));
            } catch (IOException e) {
                udp.close();
                stream = null;
                if (attempt == 10) {
                    throw e;
                }
            }
        }
        socket = udp;
        tcp = stream;
        daemon(this::serve, "zone-server");
        daemon(this::accept, "zone-server-tcp");
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
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
        return add(domain, TYPE_MX, data.toByteArray(), DEFAULT_TTL);
    }

    /** RFC 7505: one MX of preference 0 naming the root. */
    public ZoneServer nullMx(String domain) {
        return mx(domain, 0, "");
    }

    public ZoneServer a(String host, String address) {
        return a(host, address, DEFAULT_TTL);
    }

    public ZoneServer a(String host, String address, int ttl) {
        return add(host, address.contains(":") ? TYPE_AAAA : TYPE_A, addressBytes(address), ttl);
    }

    /** One TXT record of the given character-strings, each at most 255 octets (RFC 1035 section 3.3.14). */
    public ZoneServer txt(String name, int ttl, String... strings) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (String string : strings) {
            byte[] octets = string.getBytes(StandardCharsets.UTF_8);
            data.write(octets.length);
            data.writeBytes(octets);
        }
        return add(name, TYPE_TXT, data.toByteArray(), ttl);
    }

    /** One TXT record of a value of any length, cut into character-strings of 255 octets (RFC 7208 section 3.3, RFC 6376 section 3.6.2.2). */
    public ZoneServer longTxt(String name, int ttl, String value) {
        List<String> strings = new ArrayList<>();
        byte[] octets = value.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < octets.length; i += 255) {
            strings.add(new String(octets, i, Math.min(255, octets.length - i), StandardCharsets.UTF_8));
        }
        return txt(name, ttl, strings.toArray(String[]::new));
    }

    /**
     * A PTR record for {@code address} naming {@code host}, at the reverse name, written out here
     * independently of the resolver's: octets (RFC 1035 section 3.5) or nibbles (RFC 3596 section 2.5), lowest first.
     */
    public ZoneServer ptr(String address, String host) {
        byte[] octets = addressBytes(address);
        List<String> labels = new ArrayList<>();
        for (byte octet : octets) {
            if (octets.length == 4) {
                labels.add(0, Integer.toString(octet & 0xff));
            } else {
                labels.add(0, Integer.toHexString((octet >> 4) & 0xf));
                labels.add(0, Integer.toHexString(octet & 0xf));
            }
        }
        labels.add(octets.length == 4 ? "in-addr.arpa" : "ip6.arpa");
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        writeName(data, host);
        return add(String.join(".", labels), TYPE_PTR, data.toByteArray(), DEFAULT_TTL);
    }

    /** An alias: queries for {@code name} get the CNAME and the records {@code target} has of the type (RFC 1034 section 3.6.2). */
    public ZoneServer cname(String name, String target, int ttl) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        writeName(data, target);
        return add(name, TYPE_CNAME, data.toByteArray(), ttl);
    }

    /** Negative answers for the name carry an SOA with this TTL and MINIMUM (RFC 2308 section 3). */
    public ZoneServer soa(String name, int ttl, int minimum) {
        soas.put(key(name), new Soa(ttl, minimum));
        return this;
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

    /** UDP answers for the name are TC=1 without records; TCP answers are whole. */
    public ZoneServer truncated(String name) {
        truncated.add(key(name));
        return this;
    }

    /** Queries for {@code name} and {@code type} so far, over UDP and TCP. */
    public int queries(String name, int type) {
        AtomicInteger count = queries.get(key(name) + "/" + type);
        return count == null ? 0 : count.get();
    }

    /** Queries for {@code name} and {@code type} so far over TCP. */
    public int tcpQueries(String name, int type) {
        AtomicInteger count = tcpQueries.get(key(name) + "/" + type);
        return count == null ? 0 : count.get();
    }

    private ZoneServer add(String name, int type, byte[] data, int ttl) {
        records.computeIfAbsent(key(name), k -> new CopyOnWriteArrayList<>()).add(new Resource(type, data, ttl));
        return this;
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] answer = answer(java.util.Arrays.copyOf(packet.getData(), packet.getLength()), false);
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

    private void accept() {
        while (!tcp.isClosed()) {
            try {
                Socket connection = tcp.accept();
                daemon(() -> converse(connection), "zone-server-tcp-connection");
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    /** RFC 1035 section 4.2.2: each message with a two-octet length before it; several per connection (RFC 7766). */
    private void converse(Socket connection) {
        try (connection; DataInputStream in = new DataInputStream(connection.getInputStream())) {
            OutputStream out = connection.getOutputStream();
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                byte[] answer = answer(query, true);
                if (answer != null) {
                    out.write(answer.length >> 8);
                    out.write(answer.length);
                    out.write(answer);
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client closed, or sent something this server does not parse
        }
    }

    private byte[] answer(byte[] query, boolean overTcp) {
        // header (12 octets), then one question: name, type, class; an EDNS OPT record after it is ignored
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (query[at] != 0) {
            int length = query[at] & 0xff;
            name.append(name.length() == 0 ? "" : ".").append(new String(query, at + 1, length, StandardCharsets.US_ASCII));
            at += length + 1;
        }
        int questionEnd = at + 5;
        int type = ((query[at + 1] & 0xff) << 8) | (query[at + 2] & 0xff);
        String key = key(name.toString());
        queries.computeIfAbsent(key + "/" + type, k -> new AtomicInteger()).incrementAndGet();
        if (overTcp) {
            tcpQueries.computeIfAbsent(key + "/" + type, k -> new AtomicInteger()).incrementAndGet();
        }
        if (silent.contains(key)) {
            return null;
        }
        boolean truncate = !overTcp && truncated.contains(key);
        List<Answer> matching = new ArrayList<>();
        List<Resource> known = records.get(key);
        int rcode = broken.contains(key) ? RCODE_SERVFAIL : known == null ? RCODE_NXDOMAIN : 0;
        if (rcode == 0 && !truncate) {
            known.stream().filter(r -> r.type() == type).forEach(r -> matching.add(new Answer(null, r)));
            known.stream().filter(r -> r.type() == TYPE_CNAME && type != TYPE_CNAME).findFirst().ifPresent(alias -> {
                matching.add(new Answer(null, alias));
                String target = readName(alias.data());
                records.getOrDefault(key(target), List.of()).stream().filter(r -> r.type() == type)
                        .forEach(r -> matching.add(new Answer(target, r)));
            });
        }
        Soa soa = rcode != RCODE_SERVFAIL && matching.isEmpty() && !truncate ? soas.get(key) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(query[0]);
        out.write(query[1]);
        out.write(0x84 | (truncate ? 0x02 : 0) | (query[2] & 0x01)); // QR, AA, TC, RD copied
        out.write(0x80 | rcode);              // RA
        writeShort(out, 1);
        writeShort(out, matching.size());
        writeShort(out, soa == null ? 0 : 1);
        writeShort(out, 0);
        out.write(query, 12, questionEnd - 12);
        for (Answer answer : matching) {
            Resource resource = answer.resource();
            if (answer.owner() == null) {
                writeShort(out, 0xC00C); // the question's name
            } else {
                writeName(out, answer.owner());
            }
            writeShort(out, resource.type());
            writeShort(out, 1);      // IN
            writeInt(out, resource.ttl());
            writeShort(out, resource.data().length);
            out.writeBytes(resource.data());
        }
        if (soa != null) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            writeName(data, "ns.test");
            writeName(data, "hostmaster.test");
            for (int field : new int[] {1, 3600, 600, 86400, soa.minimum()}) { // serial, refresh, retry, expire, minimum
                writeInt(data, field);
            }
            writeShort(out, 0xC00C);
            writeShort(out, TYPE_SOA);
            writeShort(out, 1);
            writeInt(out, soa.ttl());
            writeShort(out, data.size());
            out.writeBytes(data.toByteArray());
        }
        return out.toByteArray();
    }

    private static void writeName(ByteArrayOutputStream out, String name) {
        for (String label : name.isEmpty() ? new String[0] : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.write(0);
    }

    private static String readName(byte[] data) {
        StringBuilder name = new StringBuilder();
        for (int at = 0; data[at] != 0; at += (data[at] & 0xff) + 1) {
            name.append(name.length() == 0 ? "" : ".").append(new String(data, at + 1, data[at] & 0xff, StandardCharsets.US_ASCII));
        }
        return name.toString();
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        writeShort(out, value >>> 16);
        writeShort(out, value & 0xffff);
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
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
