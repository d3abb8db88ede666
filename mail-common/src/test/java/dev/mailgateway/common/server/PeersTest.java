package dev.mailgateway.common.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PeersTest {

    @Test
    void anIpv4ClientIsItsAddress() {
        assertEquals("192.0.2.1", Peers.clientKey("192.0.2.1"));
        assertEquals("127.0.0.1", Peers.clientKey("127.0.0.1"));
    }

    @Test
    void anIpv6ClientIsItsSlash64InWhateverFormItIsWritten() {
        assertEquals("2001:db8:1:2::/64", Peers.clientKey("2001:db8:1:2::1"));
        assertEquals("2001:db8:1:2::/64", Peers.clientKey("2001:db8:1:2:a:b:c:d"));
        assertEquals("2001:db8:1:2::/64", Peers.clientKey("2001:0db8:0001:0002:0000:0000:0000:0001"), "full form");
        assertEquals("2001:db8:1:2::/64", Peers.clientKey("2001:DB8:1:2:FFFF:FFFF:FFFF:FFFF"), "upper case");
        assertEquals("2001:db8:1:3::/64", Peers.clientKey("2001:db8:1:3::1"), "the next /64 is another client");
        assertEquals("::/64", Peers.clientKey("0:0:0:0:0:0:0:1"), "Java's form of ::1");
        assertEquals("fe80::/64", Peers.clientKey("fe80::1%eth0"), "a scope does not matter");
    }

    @Test
    void anIpv4MappedAddressIsTheIpv4Client() {
        assertEquals("192.0.2.1", Peers.clientKey("::ffff:192.0.2.1"));
        assertEquals("192.0.2.1", Peers.clientKey("0:0:0:0:0:ffff:c000:201"));
    }

    @Test
    void whatIsNoAddressLiteralStaysAsItIs() {
        assertEquals("mx.example.test", Peers.clientKey("mx.example.test"));
        assertEquals("1.2.3.4.5", Peers.clientKey("1.2.3.4.5"));
        assertEquals(":::", Peers.clientKey(":::"));
    }
}
