package dev.mailgateway.common.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QueueIdTest {

    @Test
    void aDerivedIdIsAValidIdTheSameEveryTime() {
        String original = QueueId.next();
        String bounce = QueueId.derived(original, "bounce a@x.test");
        assertTrue(QueueId.isValid(bounce), bounce);
        assertEquals(bounce, QueueId.derived(original, "bounce a@x.test"));
        assertEquals(original.substring(0, 10), bounce.substring(0, 10), "it sorts with the original");
        assertNotEquals(bounce, QueueId.derived(original, "bounce b@x.test"));
        assertNotEquals(bounce, QueueId.derived(QueueId.next(), "bounce a@x.test"));
    }

    @Test
    void theRandomPartIsTheBitsFiveAtATimeMostSignificantFirst() {
        byte[] oneToSixteen = {(byte) 0x08, (byte) 0x86, (byte) 0x42, (byte) 0x98, (byte) 0xe8, (byte) 0x4a, (byte) 0x96, (byte) 0xc6, (byte) 0xb9, (byte) 0xf0};
        assertEquals("0000000000123456789ABCDEFG", QueueId.of(0, oneToSixteen));
        byte[] allOnes = new byte[10];
        java.util.Arrays.fill(allOnes, (byte) 0xff);
        assertEquals("00000000Z0ZZZZZZZZZZZZZZZZ", QueueId.of(31 * 32, allOnes), "time 31 * 32 ms is Z0 at the end of its part");
    }
}
