package dev.mailgateway.worker.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** How a poll's records are cut into transactions: in order, bounded in records and in octets. */
class TransactionGroupsTest {

    private static List<List<Long>> groups(List<Long> sizes) {
        return InboundConsumer.transactions(sizes, Long::longValue);
    }

    @Test
    void oneRecordIsOneTransactionAndNoneIsNone() {
        assertEquals(List.of(List.of(10L)), groups(List.of(10L)));
        assertEquals(List.of(), groups(List.of()));
    }

    @Test
    void manySmallRecordsAreCutAtTheRecordLimitInTheirOrder() {
        List<Long> sizes = IntStream.range(0, 250).mapToObj(i -> (long) i).collect(Collectors.toList());
        List<List<Long>> groups = groups(sizes);
        assertEquals(List.of(100, 100, 50), groups.stream().map(List::size).toList());
        assertEquals(sizes, groups.stream().flatMap(List::stream).toList(), "every record once, in order");
    }

    @Test
    void largeRecordsAreCutAtTheOctetLimitAndOneLargerThanItGoesAlone() {
        long third = InboundConsumer.BYTES_PER_TRANSACTION / 3;
        long huge = InboundConsumer.BYTES_PER_TRANSACTION * 2;
        assertEquals(List.of(List.of(third, third, third), List.of(third), List.of(huge), List.of(1L)),
                groups(List.of(third, third, third, third, huge, 1L)));
        assertEquals(List.of(List.of(huge)), groups(Collections.nCopies(1, huge)));
    }
}
