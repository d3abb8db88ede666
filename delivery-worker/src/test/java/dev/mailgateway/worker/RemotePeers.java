package dev.mailgateway.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.mailgateway.common.testing.SmtpSink;
import dev.mailgateway.common.testing.ZoneServer;

/**
 * The remote side of the worker tests, on loopback: a DNS server the tests
 * fill with MX and address records, and SMTP sinks, each on its own
 * 127.0.0.x address and the one port the worker dials. Short retry times
 * so that a deferral and its retry fit in a test.
 */
public class RemotePeers implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "worker-test-token";
    /** This gateway's name: an MX naming it is a mail loop. */
    public static final String OWN_HOSTNAME = "gateway.test";
    /** As delivery.retry.lifetime below. */
    public static final java.time.Duration LIFETIME = java.time.Duration.ofHours(1);
    /** As delivery.delay-warning below. */
    public static final java.time.Duration DELAY_WARNING = java.time.Duration.ofMinutes(30);

    private static ZoneServer zone;
    private static int smtpPort;
    private static final AtomicInteger NEXT_HOST = new AtomicInteger(10);

    @Override
    public Map<String, String> start() {
        try {
            zone = new ZoneServer();
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", 0));
                smtpPort = probe.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.ofEntries(
                Map.entry("delivery.dns.servers", zone.address()),
                Map.entry("delivery.dns.timeout", "1s"),
                Map.entry("delivery.smtp-port", Integer.toString(smtpPort)),
                Map.entry("delivery.retry.initial", "1s"),
                Map.entry("delivery.retry.max", "2s"),
                Map.entry("delivery.retry.lifetime", "1h"),
                Map.entry("delivery.delay-warning", "30m"),
                Map.entry("delivery.scheduler.poll-interval", "200ms"),
                Map.entry("delivery.relay.connect-timeout", "2s"),
                Map.entry("delivery.relay.command-timeout", "10s"),
                Map.entry("delivery.relay.reuse-time", "30s"),
                Map.entry("mail.hostname", OWN_HOSTNAME),
                Map.entry("mail.admin-token", ADMIN_TOKEN));
    }

    public static ZoneServer zone() {
        return zone;
    }

    /** A loopback address no other test uses, for one more MX host. */
    public static String nextHostAddress() {
        return "127.0.0." + NEXT_HOST.getAndIncrement();
    }

    /** A sink listening where the worker dials {@code address}. */
    public static SmtpSink sinkOn(String address) {
        try {
            return new SmtpSink(address, smtpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        zone.close();
    }
}
