package dev.mailgateway.pop3.apop;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.mailgateway.common.secret.SecretBox;
import dev.mailgateway.pop3.Pop3Config;

/**
 * APOP secrets (RFC 1939 section 7) must be recoverable to compute the digest,
 * so they are stored sealed under the key of {@code pop3.apop.key} ({@link SecretBox}).
 */
@ApplicationScoped
public class ApopSecrets {

    private final Optional<SecretBox> box;

    @Inject
    public ApopSecrets(Pop3Config config) {
        this(config.apop().key());
    }

    /** @param base64Key the {@code pop3.apop.key} value; empty: APOP is off */
    public ApopSecrets(Optional<String> base64Key) {
        this.box = SecretBox.of(base64Key, "pop3.apop.key");
    }

    public boolean enabled() {
        return box.isPresent();
    }

    public byte[] encrypt(String secret) {
        return box.orElseThrow().seal(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The secret {@link #encrypt} sealed; empty when APOP is off or it was sealed under another key. */
    public Optional<String> decrypt(byte[] stored) {
        // a key changed since: the account needs its APOP secret set again
        return box.flatMap(sealed -> sealed.open(stored)).map(plain -> new String(plain, StandardCharsets.UTF_8));
    }
}
