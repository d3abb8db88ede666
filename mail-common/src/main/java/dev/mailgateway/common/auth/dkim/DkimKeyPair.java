package dev.mailgateway.common.auth.dkim;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * A new signing key and the key record to publish for it. Keeping the private
 * key (encrypted at rest) is the caller's job.
 */
public record DkimKeyPair(DkimAlgorithm algorithm, PrivateKey privateKey, PublicKey publicKey) {

    /** RSA modulus size of new keys: RFC 8301 section 3.2, signers must use 1024 bits and should use 2048. */
    public static final int RSA_BITS = 2048;

    public static DkimKeyPair generate(DkimAlgorithm algorithm) {
        try {
            KeyPairGenerator generator;
            if (algorithm == DkimAlgorithm.RSA_SHA256) {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(RSA_BITS);
            } else {
                generator = KeyPairGenerator.getInstance("Ed25519");
            }
            KeyPair pair = generator.generateKeyPair();
            return new DkimKeyPair(algorithm, pair.getPrivate(), pair.getPublic());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Java 17 has RSA and Ed25519", e);
        }
    }

    /** The record to publish at {@code selector._domainkey.domain}. */
    public DkimKeyRecord record() {
        return DkimKeyRecord.of(publicKey);
    }
}
