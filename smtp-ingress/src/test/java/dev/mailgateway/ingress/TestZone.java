package dev.mailgateway.ingress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.mailgateway.common.testing.ZoneServer;

/**
 * The DNS the ingress's checks ask in the Quarkus tests: the test's own server on loopback, as the
 * worker's tests have theirs, so no test depends on the machine's resolver. It knows no names until
 * a test puts some in: NXDOMAIN, no SPF and no DMARC, which the checks mark and accept.
 */
public class TestZone implements QuarkusTestResourceLifecycleManager {

    private static ZoneServer zone;

    @Override
    public Map<String, String> start() {
        try {
            zone = new ZoneServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("mail.dns.servers", zone.address());
    }

    public static ZoneServer zone() {
        return zone;
    }

    @Override
    public void stop() {
        zone.close();
    }
}
