package dev.mailgateway.common.auth.dkim;

import static dev.mailgateway.common.auth.dkim.DkimFixtures.NOW;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.octets;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.selector;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.signer;
import static dev.mailgateway.common.auth.dkim.DkimFixtures.verifyOne;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import dev.mailgateway.common.auth.dkim.DkimResult.Status;
import dev.mailgateway.common.store.MessageSource;
import dev.mailgateway.common.testing.Dkimpy;
import dev.mailgateway.common.testing.InteropScript;
import dev.mailgateway.common.testing.LocalStack;

/**
 * Interoperability with an independent implementation: dkimpy, Debian's
 * python3-dkim (with python3-nacl for Ed25519), driven through
 * src/test/python/dkimpy_interop.py with the key records handed over, no DNS.
 * Mail we sign passes in dkimpy, mail dkimpy signs (both algorithms, relaxed
 * and simple) passes in ours, and one changed body octet or signed field
 * fails in both, as does a signed field added (oversigning). dkimpy is
 * installed first when missing (deploy/local/test-tools); without it the
 * test fails, it never skips.
 *
 * <p>dkimpy runs through {@link InteropScript}, which bounds its time.
 */
@Timeout(value = 2 * InteropScript.SECONDS, unit = TimeUnit.SECONDS)
class DkimInteropTest {

    @BeforeAll
    static void dkimpyInstalled() {
        LocalStack.ensureTestTools();
    }


    /** Messages that stress canonicalization: 8-bit text, folding, odd white space, trailing empty lines. */
    static List<Buffer> messages() {
        List<Buffer> messages = new ArrayList<>();
        messages.add(octets(DkimFixtures.PLAIN));
        messages.add(Buffer.buffer("""
                From: Jörg Müller <joerg@example.test>\r
                To: Zoë <zoe@example.org>\r
                Subject: Grüße aus Köln — 8-bit, RFC 6532\r
                Date: Fri, 02 Jan 2026 03:04:05 +0000\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: 8bit\r
                \r
                Schöne Grüße, ça va? 日本語のテキスト\r
                """).appendBytes(new byte[] {'L', 'a', 't', 'i', 'n', '-', '1', ':', ' ', (byte) 0xe9, (byte) 0xff, (byte) 0x80, '\r', '\n'}));
        messages.add(octets("""
                From: Alice\r
                \t<alice@example.test>\r
                To: bob@example.org,\r
                  carol@example.org,\r
                \tdave@example.org\r
                Cc: eve@example.org\r
                Subject: A subject folded\r
                 over two lines\r
                References: <1@example.test>\r
                 <2@example.test>\r
                \t<3@example.test>\r
                Message-ID: <4@example.test>\r
                \r
                Folded headers.\r
                """));
        messages.add(octets("""
                From:alice@example.test\r
                To:   \t bob@example.org  \t\r
                Subject:\t  lots   of \t space  \r
                Date:  Fri, 02 Jan 2026 03:04:05 +0000 \r
                \r
                  leading spaces, trailing ones   \r
                \ttabs\t\tinside\t\r
                 \t \r
                \r
                middle after a white-space-only line\r
                """));
        messages.add(octets("From: alice@example.test\r\nSubject: trailing empty lines\r\n\r\nText.\r\n\r\n\r\n \r\n\t\r\n\r\n"));
        messages.add(octets("From: alice@example.test\r\nSubject: no final line end\r\n\r\nlast  line without CRLF"));
        messages.add(octets("From: alice@example.test\r\nSubject: empty body\r\n\r\n"));
        messages.add(octets("From: alice@example.test\r\nTo: a@example.org\r\nTo: b@example.org\r\nReply-To: r@example.test\r\n"
                + "In-Reply-To: <0@example.org>\r\nSubject: two To fields, MIME\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\npart\r\n--b1--\r\n"));
        StringBuilder big = new StringBuilder("From: alice@example.test\r\nSubject: over 64 KiB\r\n\r\n");
        for (int i = 0; big.length() < 150_000; i++) {
            big.append(i % 50 == 0 ? "x".repeat(900) : "line " + i + "  with \t space ").append("\r\n").append(i % 11 == 0 ? "\r\n" : "");
        }
        messages.add(octets(big.append("\r\n\r\n").toString()));
        return messages;
    }

    @Test
    void mailWeSignPassesInDkimpy_andFailsThereWhenChanged() throws Exception {
        JsonArray jobs = new JsonArray();
        List<String> what = new ArrayList<>();
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            int n = 0;
            for (Buffer message : messages()) {
                // the big one goes through the streaming path, as the relay will sign it
                Buffer field = message.length() > MessageSource.CHUNK
                        ? signer(algorithm).sign(MessageSource.of(message), message.length(), NOW)
                                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                        : signer(algorithm).sign(message, NOW);
                byte[] signed = Buffer.buffer().appendBuffer(field).appendBuffer(message).getBytes();
                String label = algorithm.tag() + " message " + n++;
                jobs.add(verifyJob(signed));
                what.add(label + " as signed");
                jobs.add(verifyJob(changeBodyOctet(signed)));
                what.add(label + " with a body octet changed");
                jobs.add(verifyJob(changeSubject(signed)));
                what.add(label + " with its Subject changed");
                jobs.add(verifyJob(addFrom(signed)));
                what.add(label + " with a From added");
                jobs.add(verifyJob(prepend(signed, "Subject: Urgent\r\n")));
                what.add(label + " with a Subject prepended");
                jobs.add(verifyJob(addAtHeaderEnd(signed, "Reply-To: mallory@example.test\r\n")));
                what.add(label + " with a Reply-To added");
                jobs.add(verifyJob(addAtHeaderEnd(signed, "Cc: mallory@example.test\r\n")));
                what.add(label + " with a Cc added");
            }
        }
        JsonArray answers = InteropScript.run("dkimpy_interop.py", jobs);
        int passed = 0;
        for (int i = 0; i < answers.size(); i++) {
            JsonObject answer = answers.getJsonObject(i);
            boolean expected = what.get(i).endsWith("as signed");
            assertEquals(expected, answer.getBoolean("pass"), what.get(i) + ": " + answer.getString("error"));
            passed += expected ? 1 : 0;
        }
        assertEquals(2 * messages().size(), passed);
    }

    @Test
    void mailDkimpySignsPassesInOurs_andFailsWhenChanged() {
        JsonArray jobs = new JsonArray();
        List<String> what = new ArrayList<>();
        List<Buffer> messages = messages();
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            for (String canon : List.of("relaxed/relaxed", "simple/simple")) {
                for (int n = 0; n < messages.size(); n++) {
                    jobs.add(signJob(algorithm, canon, messages.get(n), false));
                    what.add(algorithm.tag() + " " + canon + " message " + n);
                }
            }
            jobs.add(signJob(algorithm, "relaxed/relaxed", messages.get(0), true));
            what.add(algorithm.tag() + " relaxed/relaxed with l=, text appended");
        }
        JsonArray answers = InteropScript.run("dkimpy_interop.py", jobs);
        int verified = 0;
        for (int i = 0; i < answers.size(); i++) {
            Buffer field = Buffer.buffer(Base64.getDecoder().decode(answers.getJsonObject(i).getString("field")));
            Buffer message = Buffer.buffer(Base64.getDecoder().decode(jobs.getJsonObject(i).getString("message")));
            boolean withLength = what.get(i).contains("l=");
            byte[] signed = field.copy().appendBuffer(message).appendString(withLength ? "-- \r\nAppended by a list\r\n" : "").getBytes();
            DkimResult result = verifyOne(Buffer.buffer(signed));
            assertEquals(Status.PASS, result.status(), what.get(i) + ": " + result.reason() + "\n" + field);
            if (!withLength) {
                assertEquals(Status.FAIL, verifyOne(Buffer.buffer(changeBodyOctet(signed))).status(), what.get(i) + ", body changed");
            }
            assertEquals(Status.FAIL, verifyOne(Buffer.buffer(changeSubject(signed))).status(), what.get(i) + ", Subject changed");
            verified++;
        }
        assertEquals(4 * messages.size() + 2, verified);
    }

    private static JsonObject verifyJob(byte[] message) {
        return new JsonObject().put("op", "verify").put("message", Base64.getEncoder().encodeToString(message))
                .put("records", new JsonObject(new HashMap<>(DkimFixtures.records())));
    }

    private static JsonObject signJob(DkimAlgorithm algorithm, String canon, Buffer message, boolean length) {
        return new JsonObject().put("op", "sign").put("message", Base64.getEncoder().encodeToString(message.getBytes()))
                .put("domain", DkimFixtures.DOMAIN).put("selector", selector(algorithm)).put("algorithm", algorithm.tag())
                .put("canon", canon).put("length", length).put("key", Dkimpy.privateKey(DkimFixtures.key(algorithm)));
    }

    private static int bodyStart(byte[] message) {
        for (int i = 0; i + 3 < message.length; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
                return i + 4;
            }
        }
        return message.length;
    }

    /** The first letter of the body made another letter; an empty body gets one. */
    static byte[] changeBodyOctet(byte[] message) {
        byte[] changed = message.clone();
        for (int i = bodyStart(message); i < changed.length; i++) {
            if (Character.isLetter(changed[i])) {
                changed[i] ^= 0x01;
                return changed;
            }
        }
        return Buffer.buffer(message).appendString("x\r\n").getBytes();
    }

    static byte[] changeSubject(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("\nSubject:"), "every test message has a Subject");
        return text.replaceFirst("\nSubject:", "\nSubject: Re:").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] prepend(byte[] message, String field) {
        return Buffer.buffer(field).appendBytes(message).getBytes();
    }

    /** The field added as the header section's last, before the empty line that ends it. */
    private static byte[] addAtHeaderEnd(byte[] message, String field) {
        int end = bodyStart(message) - 2;
        return Buffer.buffer().appendBytes(message, 0, end).appendString(field).appendBytes(message, end, message.length - end).getBytes();
    }

    private static byte[] addFrom(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        return text.replaceFirst("\nFrom:", "\nFrom: Mallory <mallory@example.test>\r\nFrom:").getBytes(StandardCharsets.ISO_8859_1);
    }
}
