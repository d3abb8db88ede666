package dev.mailgateway.common.line;

import java.net.InetAddress;
import java.net.UnknownHostException;

import io.vertx.core.net.SocketAddress;

/** Facts about the client at the other end of a connection. */
public final class Peers {

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
}
