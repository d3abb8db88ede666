package dev.mailgateway.common.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.mailgateway.common.account.SaslResponse.Kind;

class SaslResponseTest {

    @Test
    void aStarCancels() {
        assertEquals(new SaslResponse(Kind.CANCELLED, null), SaslResponse.of("*"));
    }

    @Test
    void anEqualsSignIsAnEmptyInitialResponse() {
        assertEquals(new SaslResponse(Kind.DECODED, ""), SaslResponse.of("="));
    }

    @Test
    void base64IsDecodedAsUtf8() {
        // "\0alice@example.test\0s3cret" and "jos\u00e9" (RFC 4616 takes UTF-8)
        assertEquals(new SaslResponse(Kind.DECODED, "\0alice@example.test\0s3cret"), SaslResponse.of("AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyZXQ="));
        assertEquals(new SaslResponse(Kind.DECODED, "jos\u00e9"), SaslResponse.of("am9zw6k="));
    }

    @Test
    void itsTextNeverShowsInToString() {
        assertEquals("SaslResponse[DECODED]", SaslResponse.of("AGFsaWNlQGV4YW1wbGUudGVzdABzM2NyZXQ=").toString(), "a password stays out of logs");
    }

    @Test
    void anythingElseIsUndecodable() {
        assertEquals(Kind.UNDECODABLE, SaslResponse.of("not base64!").kind());
        assertEquals(Kind.UNDECODABLE, SaslResponse.of("QUJD=X").kind());
        assertEquals(Kind.UNDECODABLE, SaslResponse.of("**").kind());
    }
}
