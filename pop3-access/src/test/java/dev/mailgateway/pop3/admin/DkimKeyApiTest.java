package dev.mailgateway.pop3.admin;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.mailgateway.common.auth.dkim.DkimAlgorithm;
import dev.mailgateway.common.auth.dkim.DkimKeyPair;
import dev.mailgateway.common.auth.dkim.DkimKeyRecord;
import dev.mailgateway.common.secret.SecretBox;
import dev.mailgateway.common.testing.LocalStack;

/** The DKIM key admin API (issue 19 item 2) against the real database. */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
class DkimKeyApiTest {

    @Inject
    Pool pool;

    @ConfigProperty(name = "mail.dkim.key")
    String sealingKey;

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer test-admin-token").contentType(ContentType.JSON);
    }

    private static String keys() {
        return "/api/domains/example.test/dkim";
    }

    @Test
    void everyCallNeedsTheToken() {
        given().get(keys()).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("selector", "s", "algorithm", "ed25519-sha256")).post(keys()).then().statusCode(401);
        given().delete(keys() + "/s").then().statusCode(401);
    }

    @Test
    void aKeyOfEachAlgorithmIsMadePublishedListedAndDeleted() {
        String rsa = "rsa-" + UUID.randomUUID().toString().substring(0, 8);
        String ed = "ed-" + UUID.randomUUID().toString().substring(0, 8);

        ExtractableResponse<Response> made = admin().body(Map.of("selector", rsa.toUpperCase(), "algorithm", "rsa-sha256"))
                .post(keys()).then().statusCode(201).extract();
        assertEquals(rsa, made.path("selector"), "selectors are kept in lower case, as DNS compares them");
        assertEquals(rsa + "._domainkey.example.test", made.path("dnsName"));
        String rsaValue = made.path("dnsValue");
        DkimKeyRecord rsaRecord = DkimKeyRecord.parse(rsaValue);
        assertEquals(DkimAlgorithm.RSA_SHA256, rsaRecord.algorithm());
        List<String> strings = made.path("strings");
        assertEquals(rsaValue, String.join("", strings));
        assertTrue(strings.size() > 1 && strings.stream().allMatch(s -> s.length() <= DkimKeyResource.TXT_STRING_OCTETS),
                "a 2048-bit key's record is over 255 octets: cut into character-strings");

        String edValue = admin().body(Map.of("selector", ed, "algorithm", "ed25519-sha256"))
                .post(keys()).then().statusCode(201).extract().path("dnsValue");
        assertEquals(DkimAlgorithm.ED25519_SHA256, DkimKeyRecord.parse(edValue).algorithm());

        List<Map<String, Object>> listed = admin().get(keys()).then().statusCode(200).extract().path("$");
        Map<String, Object> listedRsa = listed.stream().filter(k -> rsa.equals(k.get("selector"))).findFirst().orElseThrow();
        assertEquals(rsaValue, listedRsa.get("dnsValue"));
        assertTrue(listed.stream().anyMatch(k -> ed.equals(k.get("selector")) && edValue.equals(k.get("dnsValue"))));
        assertFalse(admin().get(keys()).asString().contains("private"), "no private key ever leaves through the API");

        // stored sealed: the row's private key opens under mail.dkim.key only, and pairs with the published key
        Row row = pool.preparedQuery("select algorithm, private_key, public_key from dkim_key where domain = 'example.test' and selector = $1")
                .execute(Tuple.of(rsa)).await().indefinitely().iterator().next();
        byte[] sealed = row.getBuffer(1).getBytes();
        SecretBox box = SecretBox.of(Optional.of(sealingKey), "mail.dkim.key").orElseThrow();
        DkimKeyPair pair = DkimKeyPair.decode(DkimAlgorithm.RSA_SHA256, box.open(sealed).orElseThrow(), row.getBuffer(2).getBytes());
        assertArrayEquals(rsaRecord.publicKey().getEncoded(), pair.publicKey().getEncoded());
        assertFalse(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1).contains("BEGIN"), "not PEM, not plain");

        admin().body(Map.of("selector", rsa, "algorithm", "ed25519-sha256")).post(keys()).then().statusCode(409);
        admin().delete(keys() + "/" + rsa).then().statusCode(204);
        admin().delete(keys() + "/" + rsa).then().statusCode(404);
        admin().delete(keys() + "/" + ed).then().statusCode(204);
        assertTrue(admin().get(keys()).then().statusCode(200).extract().<List<Map<String, Object>>>path("$").stream()
                .noneMatch(k -> rsa.equals(k.get("selector")) || ed.equals(k.get("selector"))));
    }

    @Test
    void hostileRequestsGetAClearRefusal() {
        admin().get("/api/domains/elsewhere.example/dkim").then().statusCode(404);
        admin().body(Map.of("selector", "s1", "algorithm", "ed25519-sha256")).post("/api/domains/elsewhere.example/dkim").then().statusCode(404);
        admin().body(Map.of("selector", "s1", "algorithm", "ed25519-sha256")).post("/api/domains/not a domain/dkim").then().statusCode(404);
        for (String selector : List.of("", "-s", "s-", "a_b", "a..b", "s;p=", "x".repeat(64), "a." .repeat(120) + "b")) {
            admin().body(Map.of("selector", selector, "algorithm", "ed25519-sha256")).post(keys()).then().statusCode(400);
        }
        for (String algorithm : List.of("rsa-sha1", "ed448-sha256", "", "RSA-SHA256 ")) {
            admin().body(Map.of("selector", "s1", "algorithm", algorithm)).post(keys()).then().statusCode(400);
        }
        admin().body("{}").post(keys()).then().statusCode(400);
        admin().body("null").post(keys()).then().statusCode(400);
    }

    @Test
    void withoutTheSealingKeyNoKeyIsMade() {
        DkimKeyResource withoutKey = new DkimKeyResource(null, Optional.empty(), null, null);
        jakarta.ws.rs.core.Response answer = withoutKey.create("example.test", new DkimKeyResource.NewKey("s1", "ed25519-sha256")).await().indefinitely();
        assertEquals(409, answer.getStatus());
        assertTrue(((AccountResource.Error) answer.getEntity()).error().contains("mail.dkim.key"));
    }
}
