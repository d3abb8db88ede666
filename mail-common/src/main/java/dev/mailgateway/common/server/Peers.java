package dev.mailgateway.common.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import io.netty.util.NetUtil;
import io.vertx.core.net.SocketAddress;

/** Facts about the client at the other end of a connection. */
public final class Peers {

    /** Octets of an IPv6 address that name its network: the /64 of RFC 4291 section 2.5.4. */
    private static final int IPV6_NETWORK_OCTETS = 8;

    private Peers() {
    }

    /** True for 127.0.0.0/8 and ::1: such clients count as secure for plaintext logins (CONTRACT.md). */
    public static boolean isLoopback(SocketAddress peer) {
        try {
            // a literal address: no DNS lookup happens here
            return peer.hostAddress() != null && InetAddress.getByName(peer.hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The client a per-client limit counts (connections, failed logins): an IPv4 address as it is; an
     * IPv6 address by its /64 ({@code 2001:db8:1:2::/64}), since a site gets at least a /64 and a host
     * can take a new address in it for every connection (RFC 6177, RFC 4941), so counting single
     * addresses would count nothing; an IPv4-mapped IPv6 address ({@code ::ffff:192.0.2.1}, how a
     * dual-stack socket shows an IPv4 client) as its IPv4 address. Anything that is not an address
     * literal is kept as it is; nothing is ever looked up in DNS.
     */
    public static String clientKey(String address) {
        byte[] octets = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
        if (octets == null) {
            return address;
        }
        if (octets.length == 16 && isIpv4Mapped(octets)) {
            octets = Arrays.copyOfRange(octets, 12, 16);
        }
        if (octets.length == 4) {
            return NetUtil.bytesToIpAddress(octets);
        }
        Arrays.fill(octets, IPV6_NETWORK_OCTETS, octets.length, (byte) 0);
        return NetUtil.bytesToIpAddress(octets) + "/64";
    }

    /** {@code ::ffff:a.b.c.d} (RFC 4291 section 2.5.5.2). */
    private static boolean isIpv4Mapped(byte[] octets) {
        for (int i = 0; i < 10; i++) {
            if (octets[i] != 0) {
                return false;
            }
        }
        return octets[10] == (byte) 0xff && octets[11] == (byte) 0xff;
    }
}
