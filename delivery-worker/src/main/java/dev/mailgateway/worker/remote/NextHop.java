package dev.mailgateway.worker.remote;

/** One address to dial for a destination: the MX host's name (for logs and Remote-MTA) and one of its IP addresses. */
public record NextHop(String hostName, String address) {

    @Override
    public String toString() {
        return hostName + "[" + address + "]";
    }
}
