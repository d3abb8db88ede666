package dev.mailgateway.common.testing;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Test consumers read mail.inbound in groups of their own. Records left on
 * the topic by earlier runs or by a local stack in use (a benchmark leaves
 * thousands) would stand before a test's own records; moving the group to the
 * end of every partition, before its consumer starts, lets each test wait only
 * for what it sent.
 */
public final class ConsumerGroups {

    private ConsumerGroups() {
    }

    /** Commits the end of every partition of {@code topic} for {@code group}, which must have no members now. */
    public static void skipToEnd(String group, String topic) {
        LocalStack.ensureInfrastructure();
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", "127.0.0.1:19092"))) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, OffsetSpec> latest = partitions.stream().collect(Collectors.toMap(Function.identity(), p -> OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> ends = admin.listOffsets(latest).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
            admin.alterConsumerGroupOffsets(group, ends).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot move " + group + " to the end of " + topic, e);
        }
    }
}
