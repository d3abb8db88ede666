package dev.mailgateway.common.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    @Test
    void perClientLimit() {
        ConnectionLimits limits = new ConnectionLimits(10, 2);
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
        ConnectionLimits limits = new ConnectionLimits(2, 5);
        assertTrue(limits.admit("192.0.2.1"));
        assertTrue(limits.admit("192.0.2.2"));
        assertFalse(limits.admit("192.0.2.3"));
        assertEquals(2, limits.open(), "a refused connection takes no place");
        limits.release("192.0.2.2");
        assertTrue(limits.admit("192.0.2.3"));
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() {
        ConnectionLimits limits = new ConnectionLimits(10, 2);
        assertTrue(limits.admit("2001:db8:1:2::1"));
        assertTrue(limits.admit("2001:db8:1:2::2"));
        assertFalse(limits.admit("2001:0db8:0001:0002:0000:0000:0000:0003"), "a third address of the same /64");
        assertTrue(limits.admit("2001:db8:1:3::1"), "another /64 still gets in");
        limits.release("2001:db8:1:2::1");
        assertTrue(limits.admit("2001:db8:1:2::ffff"));
    }

    @Test
    void anIpv4MappedClientCountsAsItsIpv4Address() {
        ConnectionLimits limits = new ConnectionLimits(10, 2);
        assertTrue(limits.admit("192.0.2.1"));
        assertTrue(limits.admit("::ffff:192.0.2.1"));
        assertFalse(limits.admit("192.0.2.1"));
    }
}
