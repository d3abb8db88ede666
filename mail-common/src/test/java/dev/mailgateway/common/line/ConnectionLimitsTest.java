package dev.mailgateway.common.line;

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
}
