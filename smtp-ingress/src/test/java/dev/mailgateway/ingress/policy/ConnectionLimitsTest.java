package dev.mailgateway.ingress.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import dev.mailgateway.ingress.IngressConfig;

class ConnectionLimitsTest {

    /** An IngressConfig answering only the two limits this class reads. */
    private static IngressConfig limits(int total, int perClient) {
        return (IngressConfig) Proxy.newProxyInstance(IngressConfig.class.getClassLoader(), new Class<?>[] {IngressConfig.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "maxConnections" -> total;
                    case "maxConnectionsPerClient" -> perClient;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void perClientLimit() {
        ConnectionLimits limits = new ConnectionLimits(limits(10, 2));
        assertTrue(limits.admit("192.0.2.1"));
        assertTrue(limits.admit("192.0.2.1"));
        assertFalse(limits.admit("192.0.2.1"));
        assertTrue(limits.admit("192.0.2.2"), "another client still gets in");
        limits.release("192.0.2.1");
        assertTrue(limits.admit("192.0.2.1"));
        assertEquals(3, limits.open());
    }

    @Test
    void totalLimit() {
        ConnectionLimits limits = new ConnectionLimits(limits(2, 5));
        assertTrue(limits.admit("192.0.2.1"));
        assertTrue(limits.admit("192.0.2.2"));
        assertFalse(limits.admit("192.0.2.3"));
        assertEquals(2, limits.open(), "a refused connection takes no place");
        limits.release("192.0.2.2");
        assertTrue(limits.admit("192.0.2.3"));
    }
}
