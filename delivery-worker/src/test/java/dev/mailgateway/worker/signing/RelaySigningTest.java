package dev.mailgateway.worker.signing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;
import dev.mailgateway.common.envelope.Envelope;
import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.common.secret.SecretBox;
import dev.mailgateway.common.testing.Dkimpy;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.SmtpSink;
import dev.mailgateway.worker.RemotePeers;
import dev.mailgateway.worker.SkipInboundBacklog;
import dev.mailgateway.worker.WorkerFixture;

/**
 * Issue 19: mail a local user relays leaves DKIM-signed by the From domain's published keys, both
 * algorithms, and verifies in dkimpy (Debian's python3-dkim, an independent implementation) against
 * the records the keys publish; one changed body octet fails there. A key whose record is not
 * published yet signs nothing. Mail from another domain, and mail no local user sent, leaves as it came.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class RelaySigningTest {

    private static final String DOMAIN = "example.test";

    @Inject
    Pool pool;

    @ConfigProperty(name = "mail.dkim.key")
    String sealingKey;

    private final List<SmtpSink> sinks = new ArrayList<>();
    /** Each sink's domain, whose MX it is. */
    private final Map<SmtpSink, String> destinations = new HashMap<>();
    /** The TXT record of each selector made. */
    private final Map<String, String> published = new HashMap<>();

    @BeforeAll
    static void dkimpyInstalled() {
        LocalStack.ensureTestTools();
    }

    @AfterEach
    void closeSinks() throws Exception {
        for (SmtpSink sink : sinks) {
            sink.close();
        }
    }

    @Test
    void relayedMailIsSignedWithBothKeysAndVerifiesInDkimpy() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> records = new HashMap<>();
        records.put(addKey("rsa" + tag, DkimAlgorithm.RSA_SHA256, true), txt("rsa" + tag));
        records.put(addKey("ed" + tag, DkimAlgorithm.ED25519_SHA256, true), txt("ed" + tag));
        // made after the others, so the newest RSA key, but its record is not in DNS yet
        addKey("new" + tag, DkimAlgorithm.RSA_SHA256, false);
        try {
            SmtpSink sink = remote();
            byte[] message = message("Alice <alice@" + DOMAIN + ">");
            String sender = "alice@" + DOMAIN;
            WorkerFixture.publish(envelope(sender, Optional.of(sender), sink), message, null);
            WorkerFixture.await(() -> sink.received().size() == 1, "the signed message at the sink");

            byte[] relayed = sink.received().get(0).data();
            String text = new String(relayed, StandardCharsets.US_ASCII);
            assertTrue(text.startsWith("DKIM-Signature: "), text);
            assertEquals(2, text.split("DKIM-Signature: ", -1).length - 1, "one signature per algorithm: " + text);
            assertTrue(text.contains("s=rsa" + tag + ";") && text.contains("s=ed" + tag + ";"), "the published keys: " + text);
            assertArrayEquals(message, Arrays.copyOfRange(relayed, relayed.length - message.length, relayed.length),
                    "the message below the signatures as it came");

            assertArrayEquals(new boolean[] {true, true}, Dkimpy.verify(relayed, records, 2), "both pass in dkimpy");
            assertArrayEquals(new boolean[] {false, false}, Dkimpy.verify(bodyOctetChanged(relayed), records, 2),
                    "one changed body octet fails both");

            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("delivery_dkim_signed_total{algorithm=\"rsa-sha256\"}"), metrics);
            assertTrue(metrics.contains("delivery_dkim_signed_total{algorithm=\"ed25519-sha256\"}"), metrics);

            // the same keys, but nothing to sign for: another author domain, or no local user's mail
            SmtpSink foreign = remote();
            byte[] other = message("<bob@elsewhere.example>");
            WorkerFixture.publish(envelope(sender, Optional.of(sender), foreign), other, null);
            SmtpSink unauthenticated = remote();
            WorkerFixture.publish(envelope(sender, Optional.empty(), unauthenticated), message, null);
            WorkerFixture.await(() -> foreign.received().size() == 1 && unauthenticated.received().size() == 1, "both unsigned");
            assertArrayEquals(other, foreign.received().get(0).data());
            assertArrayEquals(message, unauthenticated.received().get(0).data());
        } finally {
            pool.preparedQuery("delete from dkim_key where domain = $1 and selector like $2").execute(Tuple.of(DOMAIN, "%" + tag))
                    .await().indefinitely();
        }
    }

    /** Stores a key as pop3-access's admin API does, and publishes its record if asked; returns where the record goes. */
    private String addKey(String selector, DkimAlgorithm algorithm, boolean publish) {
        DkimKeyPair pair = DkimKeyPair.generate(algorithm);
        SecretBox box = SecretBox.of(Optional.of(sealingKey), "mail.dkim.key").orElseThrow();
        pool.preparedQuery("insert into dkim_key (domain, selector, algorithm, private_key, public_key) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(DOMAIN, selector, algorithm.tag(), Buffer.buffer(box.seal(pair.privateKey().getEncoded())),
                        Buffer.buffer(pair.publicKey().getEncoded())))
                .await().indefinitely();
        published.put(selector, pair.record().toTxt());
        String name = selector + "._domainkey." + DOMAIN;
        if (publish) {
            RemotePeers.zone().longTxt(name, 60, pair.record().toTxt());
        }
        return name;
    }

    private String txt(String selector) {
        return published.get(selector);
    }

    private SmtpSink remote() {
        String domain = "r" + UUID.randomUUID().toString().substring(0, 8) + ".test";
        String host = RemotePeers.nextHostAddress();
        RemotePeers.zone().mx(domain, 10, "mx." + domain).a("mx." + domain, host);
        SmtpSink sink = RemotePeers.sinkOn(host);
        sinks.add(sink);
        destinations.put(sink, domain);
        return sink;
    }

    private Envelope envelope(String sender, Optional<String> authUser, SmtpSink sink) {
        return new Envelope(QueueId.next(), sender, Map.of(), List.of(Envelope.Recipient.of("user@" + destinations.get(sink))),
                "127.0.0.1", "client.example", authUser, Instant.now());
    }

    private static byte[] message(String from) {
        return ("From: " + from + "\r\nTo: <user@dest.example>\r\nSubject: signed on the way out\r\n"
                + "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + UUID.randomUUID() + "@example.test>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                + "Hello,\r\n.a line with a leading dot\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bodyOctetChanged(byte[] message) {
        String text = new String(message, StandardCharsets.US_ASCII);
        return text.replace("Hello,", "Hellp,").getBytes(StandardCharsets.US_ASCII);
    }
}
