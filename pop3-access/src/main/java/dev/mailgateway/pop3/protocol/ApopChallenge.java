package dev.mailgateway.pop3.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The APOP challenge of one session (RFC 1939 section 7): a timestamp in the
 * greeting that no other greeting ever carries, and the check of the client's
 * answer, MD5(timestamp + shared secret) in lower-case hex.
 */
public final class ApopChallenge {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The digest is 16 octets, 32 hex digits. */
    private static final int DIGEST_HEX_DIGITS = 32;

    private final String timestamp;

    private ApopChallenge(String timestamp) {
        this.timestamp = timestamp;
    }

    /** A fresh challenge: msg-id syntax, {@code <random.clock@hostname>}; 64 random bits make it unique across replicas. */
    public static ApopChallenge issue(String hostname) {
        return new ApopChallenge("<" + Long.toUnsignedString(RANDOM.nextLong(), 16) + "." + System.currentTimeMillis() + "@" + hostname + ">");
    }

    public String timestamp() {
        return timestamp;
    }

    /** True when {@code digest} (32 hex digits) is the answer for {@code secret}; compared in constant time. */
    public boolean answeredBy(String digest, String secret) {
        byte[] expected = md5((timestamp + secret).getBytes(StandardCharsets.UTF_8));
        byte[] given = HexFormat.of().parseHex(digest);
        return MessageDigest.isEqual(expected, given);
    }

    /** The shape of an APOP digest argument. */
    public static boolean isDigest(String text) {
        return text.length() == DIGEST_HEX_DIGITS && text.chars().allMatch(HexFormat::isHexDigit);
    }

    private static byte[] md5(byte[] input) {
        try {
            return MessageDigest.getInstance("MD5").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }
}
