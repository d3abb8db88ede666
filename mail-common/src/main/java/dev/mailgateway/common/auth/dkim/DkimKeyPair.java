package dev.mailgateway.common.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

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

    /**
     * A pair as stored: the private key's PKCS#8 encoding and the public key's SubjectPublicKeyInfo
     * ({@link PrivateKey#getEncoded()}, {@link PublicKey#getEncoded()}).
     *
     * @throws IllegalArgumentException when they are no keys of that algorithm
     */
    public static DkimKeyPair decode(DkimAlgorithm algorithm, byte[] pkcs8, byte[] spki) {
        return new DkimKeyPair(algorithm, decodePrivate(algorithm, pkcs8), decodePublic(algorithm, spki));
    }

    /** A stored private key (its PKCS#8 encoding); @throws IllegalArgumentException when it is none of that algorithm */
    public static PrivateKey decodePrivate(DkimAlgorithm algorithm, byte[] pkcs8) {
        try {
            return keyFactory(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a stored " + algorithm.tag() + " private key", e);
        }
    }

    /** A stored public key (its SubjectPublicKeyInfo); @throws IllegalArgumentException when it is none of that algorithm */
    public static PublicKey decodePublic(DkimAlgorithm algorithm, byte[] spki) {
        try {
            return keyFactory(algorithm).generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a stored " + algorithm.tag() + " public key", e);
        }
    }

    private static KeyFactory keyFactory(DkimAlgorithm algorithm) throws NoSuchAlgorithmException {
        return KeyFactory.getInstance(algorithm == DkimAlgorithm.RSA_SHA256 ? "RSA" : "Ed25519");
    }

    /** The record to publish at {@code selector._domainkey.domain}. */
    public DkimKeyRecord record() {
        return DkimKeyRecord.of(publicKey);
    }
}
