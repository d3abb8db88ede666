package dev.mailgateway.common.auth.dkim;

/**
 * What hashing a body gave: the bh= value, and whether the canonical body
 * reached its l= limit (always so without one). A body shorter than its l=
 * cannot verify (RFC 6376 section 3.5). Immutable, so the results of one
 * hashing can be read by key lookups completing on other threads; the hash
 * is copied in and out.
 */
public record BodyDigest(byte[] hash, boolean coversLimit) {

    public BodyDigest {
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }
}
