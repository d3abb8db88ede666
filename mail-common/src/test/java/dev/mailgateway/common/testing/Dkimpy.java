package dev.mailgateway.common.testing;

import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;

/**
 * dkimpy (Debian's python3-dkim), the independent DKIM implementation the tests check ours against,
 * through src/test/python/dkimpy_interop.py: no DNS, the key records come with each call.
 */
public final class Dkimpy {

    private static final String SCRIPT = "dkimpy_interop.py";

    private Dkimpy() {
    }

    /** dkimpy's key formats: PEM for RSA (PKCS#8 will do), the base64 of the 32-octet seed for Ed25519. */
    public static String privateKey(DkimKeyPair key) {
        byte[] pkcs8 = key.privateKey().getEncoded();
        if (key.algorithm() == DkimAlgorithm.ED25519_SHA256) {
            return Base64.getEncoder().encodeToString(Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length));
        }
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** The message with dkimpy's relaxed/relaxed signature field on top. */
    public static byte[] signed(byte[] message, String domain, String selector, DkimKeyPair key) {
        JsonObject job = new JsonObject().put("op", "sign").put("message", Base64.getEncoder().encodeToString(message))
                .put("domain", domain).put("selector", selector).put("algorithm", key.algorithm().tag())
                .put("canon", "relaxed/relaxed").put("key", privateKey(key));
        byte[] field = Base64.getDecoder().decode(InteropScript.run(SCRIPT, new JsonArray().add(job)).getJsonObject(0).getString("field"));
        byte[] signed = Arrays.copyOf(field, field.length + message.length);
        System.arraycopy(message, 0, signed, field.length, message.length);
        return signed;
    }

    /**
     * Whether each signature passes, the topmost first: {@code count} of them, verified against
     * {@code records} (the name {@code selector._domainkey.domain} to its TXT record).
     */
    public static boolean[] verify(byte[] message, Map<String, String> records, int count) {
        JsonArray jobs = new JsonArray();
        for (int index = 0; index < count; index++) {
            jobs.add(new JsonObject().put("op", "verify").put("message", Base64.getEncoder().encodeToString(message))
                    .put("records", new JsonObject(Map.copyOf(records))).put("index", index));
        }
        JsonArray answers = InteropScript.run(SCRIPT, jobs);
        boolean[] passed = new boolean[count];
        for (int index = 0; index < count; index++) {
            passed[index] = answers.getJsonObject(index).getBoolean("pass");
        }
        return passed;
    }
}
