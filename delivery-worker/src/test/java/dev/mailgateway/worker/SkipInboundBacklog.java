package dev.mailgateway.worker;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.common.testing.ConsumerGroups;

/** Moves the worker tests' consumer group past old records before the application starts (see {@link ConsumerGroups}). */
public class SkipInboundBacklog implements QuarkusTestResourceLifecycleManager {

    /** As {@code %test.mp.messaging.incoming.mail-inbound.group.id} in application.properties. */
    static final String TEST_GROUP = "delivery-worker-test";

    @Override
    public Map<String, String> start() {
        ConsumerGroups.skipToEnd(TEST_GROUP, LocalStack.INBOUND_TOPIC);
        return Map.of();
    }

    @Override
    public void stop() {
    }
}
