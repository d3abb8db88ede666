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
}
