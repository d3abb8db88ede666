package dev.mailgateway.common.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClientTextTest {

    @Test
    void controlCharactersAreEscapedAndTheRestKept() {
        assertEquals("/api/a\\x0D\\x0Ab\\x09c\\x00d\\x7Fe\\x85f", ClientText.loggable("/api/a\r\nb\tc\0d\u007fe\u0085f"));
        assertEquals("j\u00f6rg@example.test", ClientText.loggable("j\u00f6rg@example.test"));
    }
}
