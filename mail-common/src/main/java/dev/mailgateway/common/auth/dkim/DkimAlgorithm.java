package dev.mailgateway.common.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.NamedParameterSpec;
import java.util.Optional;

/**
 * The signing algorithms: {@code rsa-sha256} (RFC 6376 section 3.3.1) and
 * {@code ed25519-sha256} (RFC 8463), each with the key type of its key
 * records. {@code rsa-sha1} is absent on purpose: RFC 8301 section 3.1 says
 * verifiers must not consider it valid.
 *
 * <p>Ed25519 signs the SHA-256 hash of the header data, not the data itself
 * (RFC 8463 section 3: PureEdDSA over the 32-octet hash).
 */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The name in an a= tag. */
    public String tag() {
        return tag;
    }

    /** The name in a key record's k= tag. */
    public String keyType() {
        return keyType;
    }

    public static Optional<DkimAlgorithm> fromTag(String tag) {
        for (DkimAlgorithm algorithm : values()) {
            if (algorithm.tag.equals(tag)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    public static Optional<DkimAlgorithm> fromKeyType(String keyType) {
        for (DkimAlgorithm algorithm : values()) {
            if (algorithm.keyType.equals(keyType)) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** The algorithm a key (public or private) works with; empty for other keys, Ed448 among them. */
    public static Optional<DkimAlgorithm> ofKey(Key key) {
        if (key instanceof RSAKey) {
            return Optional.of(RSA_SHA256);
        }
        if (key instanceof EdECKey edwards && NamedParameterSpec.ED25519.getName().equalsIgnoreCase(edwards.getParams().getName())) {
            return Optional.of(ED25519_SHA256);
        }
        return Optional.empty();
    }

    /** Both algorithms hash with SHA-256: the body (bh=) and, for Ed25519, the header data. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }

    byte[] sign(PrivateKey key, byte[] headerData) throws GeneralSecurityException {
        Signature signature = signature();
        signature.initSign(key);
        signature.update(signedInput(headerData));
        return signature.sign();
    }

    boolean verify(PublicKey key, byte[] headerData, byte[] signed) throws GeneralSecurityException {
        Signature signature = signature();
        signature.initVerify(key);
        signature.update(signedInput(headerData));
        return signature.verify(signed);
    }

    private Signature signature() throws NoSuchAlgorithmException {
        return Signature.getInstance(this == RSA_SHA256 ? "SHA256withRSA" : "Ed25519");
    }

    private byte[] signedInput(byte[] headerData) {
        return this == RSA_SHA256 ? headerData : sha256().digest(headerData);
    }
}
