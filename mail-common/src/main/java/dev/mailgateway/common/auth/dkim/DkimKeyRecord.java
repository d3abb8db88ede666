package dev.mailgateway.common.auth.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;

import dev.mailgateway.common.auth.TagList;

/**
 * A DKIM key record, the TXT record at {@code selector._domainkey.domain}
 * (RFC 6376 section 3.6.1): written for a key we publish, parsed for a key
 * we verify with. p= is the SubjectPublicKeyInfo DER of an RSA key, and the
 * raw 32-octet public key for Ed25519 (RFC 8463 section 4.2).
 *
 * @param publicKey      null when the record revokes its key (an empty p=)
 * @param testing        t=y: the domain is testing DKIM, so a failure counts for no more than no signature
 * @param strictIdentity t=s: an i= must be in d= itself, not in a subdomain of it
 */
public record DkimKeyRecord(DkimAlgorithm algorithm, PublicKey publicKey, boolean testing, boolean strictIdentity) {

    /** DER of the SubjectPublicKeyInfo of an Ed25519 key (RFC 8410 section 4) before its 32 key octets. */
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    /** RFC 8032 section 5.1.5: an Ed25519 public key is 32 octets. */
    private static final int ED25519_KEY_LENGTH = 32;

    /** The record for a key we publish. */
    public static DkimKeyRecord of(PublicKey key) {
        DkimAlgorithm algorithm = DkimAlgorithm.ofKey(key)
                .orElseThrow(() -> new IllegalArgumentException("Not an RSA or Ed25519 key: " + key.getAlgorithm()));
        return new DkimKeyRecord(algorithm, key, false, false);
    }

    public boolean revoked() {
        return publicKey == null;
    }

    /** The TXT record value, {@code v=DKIM1; k=rsa; p=...}; a DNS server splits it into strings of 255 octets. */
    public String toTxt() {
        String p = publicKey == null ? "" : Base64.getEncoder().encodeToString(keyData());
        String flags = testing && strictIdentity ? "; t=y:s" : testing ? "; t=y" : strictIdentity ? "; t=s" : "";
        return "v=DKIM1; k=" + algorithm.keyType() + flags + "; p=" + p;
    }

    /**
     * The record from a TXT record's text (its strings joined).
     *
     * @throws DkimFormatException when it is malformed, of another version, key type or service, or its key does not decode
     */
    public static DkimKeyRecord parse(String txt) {
        TagList tags = TagList.parse(txt, DkimFormatException::new);
        Iterator<String> names = tags.names().iterator();
        if (tags.get("v").isPresent() && !(names.next().equals("v") && tags.require("v").equals("DKIM1"))) {
            throw new DkimFormatException("Key record v= is not DKIM1 or not the first tag");
        }
        String keyType = tags.get("k").orElse("rsa");
        DkimAlgorithm algorithm = DkimAlgorithm.fromKeyType(keyType)
                .orElseThrow(() -> new DkimFormatException("Key record of unknown key type k=" + printable(keyType)));
        if (tags.get("h").isPresent() && !contains(tags.require("h"), "sha256")) {
            throw new DkimFormatException("Key record h= does not allow sha256");
        }
        if (tags.get("s").isPresent() && !contains(tags.require("s"), "email") && !contains(tags.require("s"), "*")) {
            throw new DkimFormatException("Key record s= is not for email");
        }
        String flags = tags.get("t").orElse("");
        String p = tags.require("p").replaceAll("[ \t\r\n]", "");
        PublicKey key = p.isEmpty() ? null : decode(algorithm, p);
        return new DkimKeyRecord(algorithm, key, contains(flags, "y"), contains(flags, "s"));
    }

    private byte[] keyData() {
        byte[] spki = publicKey.getEncoded();
        return algorithm == DkimAlgorithm.RSA_SHA256 ? spki : Arrays.copyOfRange(spki, spki.length - ED25519_KEY_LENGTH, spki.length);
    }

    private static PublicKey decode(DkimAlgorithm algorithm, String p) {
        try {
            byte[] data = Base64.getDecoder().decode(p);
            if (algorithm == DkimAlgorithm.RSA_SHA256) {
                return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(data));
            }
            if (data.length != ED25519_KEY_LENGTH) {
                throw new DkimFormatException("Key record p= is not a 32-octet Ed25519 key");
            }
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + ED25519_KEY_LENGTH);
            System.arraycopy(data, 0, spki, ED25519_SPKI_PREFIX.length, ED25519_KEY_LENGTH);
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            // not base64, or no key of this type
            throw new DkimFormatException("Key record p= is no valid " + algorithm.keyType() + " key");
        }
    }

    /** Whether a colon-separated list (h=, s=, t=) names this entry. */
    private static boolean contains(String list, String entry) {
        for (String item : list.split(":")) {
            if (item.strip().equals(entry)) {
                return true;
            }
        }
        return false;
    }

    /** A tag value for a reason text: short, and only printable ASCII. */
    static String printable(String value) {
        String shown = value.length() > 32 ? value.substring(0, 32) + "..." : value;
        return shown.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
