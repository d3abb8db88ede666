package dev.mailgateway.common.auth.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class DkimKeyRecordTest {

    private static String p(String txt) {
        return txt.substring(txt.indexOf("p=") + 2);
    }

    @Test
    void generatedKeysPublishTheirRecordAndParseBack() {
        for (DkimAlgorithm algorithm : DkimAlgorithm.values()) {
            DkimKeyPair pair = DkimFixtures.key(algorithm);
            String txt = pair.record().toTxt();
            assertTrue(txt.startsWith("v=DKIM1; k=" + algorithm.keyType() + "; p="), txt);
            DkimKeyRecord parsed = DkimKeyRecord.parse(txt);
            assertEquals(algorithm, parsed.algorithm());
            assertArrayEquals(pair.publicKey().getEncoded(), parsed.publicKey().getEncoded());
            assertFalse(parsed.revoked() || parsed.testing() || parsed.strictIdentity());
        }
    }

    @Test
    void rsaIs2048BitsAsSubjectPublicKeyInfo_ed25519IsThe32RawOctets() {
        assertEquals(DkimKeyPair.RSA_BITS, ((RSAPublicKey) DkimFixtures.RSA.publicKey()).getModulus().bitLength());
        byte[] rsa = Base64.getDecoder().decode(p(DkimFixtures.RSA.record().toTxt()));
        assertArrayEquals(DkimFixtures.RSA.publicKey().getEncoded(), rsa);
        assertEquals(32, Base64.getDecoder().decode(p(DkimFixtures.ED25519.record().toTxt())).length);
    }

    @Test
    void defaultsAndFlags() {
        String p = p(DkimFixtures.RSA.record().toTxt());
        DkimKeyRecord bare = DkimKeyRecord.parse("p=" + p);
        assertEquals(DkimAlgorithm.RSA_SHA256, bare.algorithm(), "k= defaults to rsa, v= is optional");
        DkimKeyRecord flagged = DkimKeyRecord.parse("v=DKIM1; h=sha1:sha256; s=email; t=y:s; p=" + p);
        assertTrue(flagged.testing() && flagged.strictIdentity());
        assertTrue(DkimKeyRecord.parse("v=DKIM1; k=ed25519; p=").revoked());
        String folded = p.substring(0, 100) + " \r\n\t" + p.substring(100);
        assertArrayEquals(DkimFixtures.RSA.publicKey().getEncoded(), DkimKeyRecord.parse("p=" + folded).publicKey().getEncoded(),
                "white space inside p= (strings of a TXT record joined with spaces)");
    }

    @Test
    void unusableRecordsAreRefused() {
        String p = p(DkimFixtures.RSA.record().toTxt());
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("k=rsa; v=DKIM1; p=" + p), "v= not first");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; k=dsa; p=" + p), "unknown key type");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; h=sha1; p=" + p), "no sha256");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; s=tlsrpt; p=" + p), "not for email");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; k=rsa"), "no p=");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; k=rsa; p=AAAA"), "not a key");
        assertEquals("Key record p= is not a 32-octet Ed25519 key",
                assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; k=ed25519; p=AAAA")).getMessage(),
                "the reason survives the catch around the key decoding");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; k=ed25519; p=" + p), "an RSA key as ed25519");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse(""), "empty");
        assertThrows(DkimFormatException.class, () -> DkimKeyRecord.parse("v=DKIM1; p=" + p + "; p=" + p), "p= twice");
    }

    @Test
    void onlyRsaAndEd25519KeysHaveRecords() throws Exception {
        PublicKey ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic();
        assertThrows(IllegalArgumentException.class, () -> DkimKeyRecord.of(ed448));
        assertTrue(DkimAlgorithm.ofKey(ed448).isEmpty());
    }

    @Test
    void revokedAndTestingRecordsAreWrittenAsSuch() {
        assertEquals("v=DKIM1; k=ed25519; p=", new DkimKeyRecord(DkimAlgorithm.ED25519_SHA256, null, false, false).toTxt());
        assertEquals("v=DKIM1; k=ed25519; t=y; p=", new DkimKeyRecord(DkimAlgorithm.ED25519_SHA256, null, true, false).toTxt());
    }
}
