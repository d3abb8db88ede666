package dev.mailgateway.worker.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import dev.mailgateway.common.address.DomainName;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.worker.RemotePeers;
import dev.mailgateway.worker.SkipInboundBacklog;

/**
 * Every column of the migrated schema that holds an address or a domain is at least as wide as the longest
 * the address model accepts (MailAddressPropertyTest shows every accepted address is within these bounds):
 * varchar counts characters, and an address of n octets has at most n.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(SkipInboundBacklog.class)
@QuarkusTestResource(RemotePeers.class)
class AddressColumnsTest {

    @Inject
    Pool pool;

    @Test
    void everyAddressColumnHoldsTheLongestAddressTheModelAccepts() {
        Map<String, Integer> widths = new HashMap<>();
        for (Row row : pool.query("select table_name || '.' || column_name, character_maximum_length from information_schema.columns"
                + " where table_schema = current_schema() and data_type = 'character varying'").execute().await().indefinitely()) {
            widths.put(row.getString(0), row.getInteger(1));
        }
        int mailbox = MailAddress.MAX_PATH - 2;
        Map<String, Integer> needed = Map.of("account.address", mailbox, "message_body.sender", mailbox, "delivery_ledger.recipient", mailbox,
                "delivery_queue.recipient", mailbox, "delivery_queue.domain", DomainName.MAX_DOMAIN);
        needed.forEach((column, width) -> {
            assertTrue(widths.containsKey(column), column + " in " + widths.keySet());
            assertTrue(widths.get(column) >= width, column + " is varchar(" + widths.get(column) + "), needs " + width);
        });
        assertEquals(512, widths.get("delivery_ledger.recipient"), "V9 widened it for records queued before the model");
    }
}
