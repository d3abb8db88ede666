package dev.mailgateway.worker.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.mailgateway.worker.WorkerFixture.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.reply.SmtpReply;
import dev.mailgateway.common.testing.SmtpSink;
import dev.mailgateway.worker.DeliveryConfig;
import dev.mailgateway.worker.WorkerMetrics;
import dev.mailgateway.worker.dsn.Bouncer;
import dev.mailgateway.worker.events.DeliveryEvent;
import dev.mailgateway.worker.events.DeliveryEvents;
import dev.mailgateway.worker.queue.ClaimedRecipient;
import dev.mailgateway.worker.queue.DeliveryQueue;
import dev.mailgateway.worker.queue.Verdict;
import dev.mailgateway.worker.remote.MxResolver;
import dev.mailgateway.worker.remote.NextHop;
import dev.mailgateway.worker.remote.OutboundMessage;
import dev.mailgateway.worker.remote.RelayClient;
import dev.mailgateway.worker.remote.Route;

/**
 * The queue manager on a queue kept in memory: one connection per domain and one
 * claimed row at a time, so a job that kept its slot or its claimed-row count
 * would stop every later row. Resolvers and clients that throw or fail show
 * that each row still gets a verdict; a real relay client and an SMTP sink
 * show that a job whose claim was taken over sends nothing.
 */
class QueueManagerTest {

    private static final Buffer MESSAGE = Buffer.buffer("Subject: test\r\n\r\nhello\r\n");

    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MemoryQueue queue = new MemoryQueue();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private QueueManager queueManager;

    @AfterEach
    void close() throws Exception {
        if (queueManager != null) {
            queueManager.stop(null);
        }
        for (AutoCloseable c : closing) {
            c.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aFullClaimMayHaveLeftRowsBehind() {
        assertTrue(QueueManager.mayBeMoreDue(200, 200, Set.of()));
    }

    @Test
    void aClaimThatLeftOutABusyDomainLeftItsBacklogBehind() {
        // a poll while a domain has a full round of jobs waiting claims nothing for it: the drain must go on as
        // those jobs finish, not stall until the next poll
        assertTrue(QueueManager.mayBeMoreDue(0, 180, Set.of("relay.example")));
    }

    @Test
    void aShortClaimOfEveryDomainTookAllThatWasDue() {
        assertFalse(QueueManager.mayBeMoreDue(37, 200, Set.of()));
    }

    @Test
    void aResolverThatThrowsInsteadOfFailingDefersEveryRowAndKeepsTheQueueManagerGoing() {
        // as Vert.x's DNS client on a label longer than 63 octets: IDN.toASCII throws before any future exists
        MxResolver resolver = new MxResolver(null, mail()) { // resolve() overridden: no DNS
            @Override
            public Future<Route> resolve(String domain) {
                throw new IllegalArgumentException("The label in the input is too long");
            }
        };
        start(config(Map.of()), resolver, client(config(Map.of()), (hops, message) -> Future.failedFuture("not reached")));
        queue.due(row(1, "idn.test"), row(2, "idn.test"), row(3, "idn.test"));

        await(() -> queue.verdicts.size() == 3, "a verdict for each of three rows");
        queue.verdicts.forEach(verdict -> {
            assertEquals(Verdict.Kind.DEFERRED, verdict.kind());
            assertEquals("4.3.0", verdict.status());
        });
        assertEquals(3, internalErrors("relay"));
        assertEquals(0, gauge("delivery.relay.claimed"));
        assertEquals(0, gauge("delivery.relay.running"));
    }

    @Test
    void aClientThatFailsOrThrowsDefersItsRowsAndGivesTheSlotBack() {
        DeliveryConfig config = config(Map.of());
        int[] calls = {0};
        RelayClient client = client(config, (hops, message) -> {
            if (++calls[0] % 2 == 1) {
                throw new NullPointerException("a bug in the dialogue");
            }
            return Future.failedFuture(new IllegalStateException("a future failed with our own error"));
        });
        start(config, resolverTo("192.0.2.1"), client);
        queue.due(row(1, "relay.test"), row(2, "relay.test"), row(3, "relay.test"), row(4, "relay.test"));

        await(() -> queue.verdicts.size() == 4, "a verdict for each of four rows");
        assertTrue(queue.verdicts.stream().allMatch(v -> v.kind() == Verdict.Kind.DEFERRED && v.status().equals("4.3.0")), queue.verdicts.toString());
        assertEquals(4, internalErrors("relay"));
        assertEquals(0, gauge("delivery.relay.claimed"));
    }

    @Test
    void verdictsThatCannotBeWrittenForAWhileAreWrittenWhenTheDatabaseIsBack() {
        queue.failWrites(3);
        start(config(Map.of()), resolverTo("192.0.2.1"), client(config(Map.of()), (hops, message) -> Future.succeededFuture(
                Map.of(message.recipients().get(0).address(), new RelayClient.Outcome(SmtpReply.of(250, "2.0.0", "queued"), "mx.relay.test", true)))));
        queue.due(row(1, "relay.test"));

        await(() -> queue.verdicts.size() == 1, "the verdict after three failed writes");
        assertEquals(Verdict.Kind.DELIVERED, queue.verdicts.get(0).kind());
        assertEquals(4, queue.writes.get());
        assertEquals(0, gauge("delivery.relay.claimed"));
    }

    @Test
    void aJobWhoseClaimWasTakenOverSendsNothing() throws IOException {
        int port = freePort();
        SmtpSink sink = new SmtpSink("127.0.0.1", port);
        closing.add(sink);
        DeliveryConfig config = config(Map.of("delivery.smtp-port", Integer.toString(port)));
        start(config, resolverTo("127.0.0.1"), new RelayClient(vertx, config, mail()));
        queue.takenOver.add(1L);
        queue.due(row(1, "relay.test"));
        await(() -> queue.verdicts.size() == 1, "the verdict of the job that lost its claim");
        assertEquals(Verdict.Kind.DEFERRED, queue.verdicts.get(0).kind());
        assertEquals(JobRunner.CLAIM_LOST.summary(), queue.verdicts.get(0).reply().summary());

        queue.due(row(2, "relay.test"));
        await(() -> queue.verdicts.size() == 2, "the verdict of the job that kept its claim");
        assertEquals(Verdict.Kind.DELIVERED, queue.verdicts.get(1).kind());
        assertEquals(1, sink.received().size(), "only the row still claimed was sent");
        assertEquals(List.of("RCPT TO:<user2@relay.test>"), sink.received().get(0).rcptLines());
    }

    @Test
    void aDeadSiteIsDialledByOneCohortThenLeftInTheQueueWhileSuspended() throws Exception {
        try (RefusingServer dead = new RefusingServer()) {
            DeliveryConfig config = config(Map.of("delivery.smtp-port", Integer.toString(dead.port()),
                    "delivery.scheduler.batch-size", "100", "delivery.relay.destination-concurrency", "20", "delivery.retry.initial", "1h"));
            start(config, resolverTo("127.0.0.1"), new RelayClient(vertx, config, mail()));
            for (int id = 1; id <= 40; id++) {
                queue.due(row(id, "dead.test"));
            }

            await(() -> queue.verdicts.size() == 40, "a verdict for each of 40 messages");
            assertTrue(queue.verdicts.stream().allMatch(v -> v.kind() == Verdict.Kind.DEFERRED), queue.verdicts.toString());
            // the initial window of 5, narrowing by 1/window per failure, is dead after its fourth failure in a row;
            // two jobs more start while it narrows
            int cohort = dead.accepted.get();
            assertTrue(cohort >= 4 && cohort <= 7, "dials of the first cohort: " + cohort);
            long suspended = queue.verdicts.stream().filter(v -> v.reply().summary().contains("delivery temporarily suspended")).count();
            assertEquals(40 - cohort, suspended);
            assertEquals(1, gauge("delivery.relay.destinations.dead"));

            for (int id = 41; id <= 60; id++) {
                queue.due(row(id, "dead.test"));
            }
            int claims = queue.claims.get();
            await(() -> queue.claims.get() >= claims + 2, "two more looks at the queue");
            assertTrue(queue.leftOut.contains("dead.test"), "a suspended site's rows are not claimed: " + queue.leftOut);
            assertEquals(20, queue.due.size(), "the 20 new rows wait in the queue");
            assertEquals(40, queue.verdicts.size());
            assertEquals(cohort, dead.accepted.get(), "no dial while the site is suspended");

            // an operator's flush tries the site again at once: a new cohort, then suspended again
            queueManager.flush();
            await(() -> queue.verdicts.size() == 60, "a verdict for each of the 20 after the flush");
            int afterFlush = dead.accepted.get() - cohort;
            assertTrue(afterFlush >= 4 && afterFlush <= 7, "dials after the flush: " + afterFlush);
            assertEquals(1, gauge("delivery.relay.destinations.dead"));
            assertEquals(0, gauge("delivery.relay.claimed"));
            assertEquals(0, gauge("delivery.relay.running"));
        }
    }

    @Test
    void deadSitesRememberedAreBoundedSummedOverAllDomains() throws Exception {
        try (RefusingServer dead = new RefusingServer()) {
            DeliveryConfig config = config(Map.of("delivery.smtp-port", Integer.toString(dead.port()),
                    "delivery.scheduler.batch-size", "2000", "delivery.relay.destination-concurrency", "1", "delivery.retry.initial", "1h"));
            start(config, resolverTo("127.0.0.1"), new RelayClient(vertx, config, mail()));
            int domains = QueueManager.MAX_DEAD_SITES + 50;
            for (int id = 1; id <= domains; id++) {
                queue.due(row(id, "dead" + id + ".test"));
            }
            await(() -> queue.verdicts.size() == domains, "a verdict for each of " + domains + " domains");
            int claims = queue.claims.get();
            await(() -> queue.claims.get() >= claims + 2, "two more looks at the queue");
            assertEquals(QueueManager.MAX_DEAD_SITES, gauge("delivery.relay.destinations.dead"));
            assertTrue(queue.leftOut.size() <= QueueManager.MAX_DEAD_SITES, "domains left out of a claim: " + queue.leftOut.size());
        }
    }

    // ---- the queue manager's surroundings

    private void start(DeliveryConfig config, MxResolver resolver, RelayClient client) {
        WorkerMetrics metrics = new WorkerMetrics(registry);
        Bouncer bouncer = new Bouncer(queue, null, null, metrics, mail()) {
            @Override
            public Future<Integer> bounceFailed(Set<String> inFlight) {
                return Future.succeededFuture(0);
            }
        };
        DeliveryEvents events = new DeliveryEvents(null, registry) {
            @Override
            public void publish(DeliveryEvent event) {
            }
        };
        queueManager = new QueueManager(vertx, queue, resolver, client, bouncer, events, metrics, config);
        queueManager.start(null);
    }

    private static DeliveryConfig config(Map<String, String> more) {
        Map<String, String> values = new HashMap<>(Map.of(
                "delivery.scheduler.poll-interval", "50ms",
                "delivery.scheduler.batch-size", "1",
                "delivery.relay.destination-concurrency", "1",
                "delivery.relay.connect-timeout", "2s",
                "delivery.relay.command-timeout", "5s"));
        values.putAll(more);
        return build().withDefaultValues(values).build().getConfigMapping(DeliveryConfig.class);
    }

    private static MailConfig mail() {
        return build().withDefaultValues(Map.of("mail.hostname", "gateway.test")).build().getConfigMapping(MailConfig.class);
    }

    private static SmallRyeConfigBuilder build() {
        return new SmallRyeConfigBuilder().withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(DeliveryConfig.class).withMapping(MailConfig.class);
    }

    private MxResolver resolverTo(String address) {
        return new MxResolver(null, mail()) { // resolve() overridden: no DNS
            @Override
            public Future<Route> resolve(String domain) {
                return Future.succeededFuture(new Route.Hosts(List.of(new NextHop("mx." + domain, address))));
            }
        };
    }

    /** A dialogue with the destination's servers that a test writes: each recipient's outcome. */
    private interface Dialogue {
        Future<Map<String, RelayClient.Outcome>> deliver(List<NextHop> hops, OutboundMessage message);
    }

    private RelayClient client(DeliveryConfig config, Dialogue dialogue) {
        return new RelayClient(vertx, config, mail()) {
            @Override
            public Future<Delivery> deliver(String domain, List<NextHop> hops, OutboundMessage message, Gate gate) {
                return dialogue.deliver(hops, message).map(outcomes -> new Delivery(outcomes, Contact.MADE));
            }
        };
    }

    private static ClaimedRecipient row(long id, String domain) {
        return new ClaimedRecipient(id, "Q" + id, id, "user" + id + "@" + domain, domain, null, null, 1, "sender@example.test",
                null, null, false, Instant.now(), false, MESSAGE.length(), null, MESSAGE);
    }

    private long internalErrors(String stage) {
        return (long) registry.counter("delivery.relay.internal.errors", "stage", stage).count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return probe.getLocalPort();
        }
    }

    /** A host of a dead site: takes each connection and closes it before any greeting, counting them. */
    private static final class RefusingServer implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        private final ServerSocket socket = new ServerSocket();
        private final Thread acceptor;

        RefusingServer() throws IOException {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        java.net.Socket dialled = socket.accept();
                        accepted.incrementAndGet();
                        dialled.close();
                    } catch (IOException closed) {
                        // closed: the test is over
                    }
                }
            }, "refusing-server");
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5_000);
        }
    }

    /** The queue table in memory: due rows handed out as claimed, renewals answered, verdicts kept. Not a bean of the Quarkus tests. */
    @jakarta.enterprise.inject.Vetoed
    private static final class MemoryQueue extends DeliveryQueue {
        final ConcurrentLinkedDeque<ClaimedRecipient> due = new ConcurrentLinkedDeque<>();
        final List<Verdict> verdicts = new CopyOnWriteArrayList<>();
        /** Rows another replica has claimed since: renewals leave them out. */
        final Set<Long> takenOver = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final AtomicLong writes = new AtomicLong();
        /** Looks at the queue so far, and the domains the last one left out. */
        final java.util.concurrent.atomic.AtomicInteger claims = new java.util.concurrent.atomic.AtomicInteger();
        volatile Set<String> leftOut = Set.of();
        private volatile int failingWrites;

        MemoryQueue() {
            super(null);
        }

        void due(ClaimedRecipient... rows) {
            due.addAll(List.of(rows));
        }

        void failWrites(int count) {
            failingWrites = count;
        }

        @Override
        public Future<List<ClaimedRecipient>> claimDue(Set<String> busyDomains, Set<Long> held, int limit, Duration lease) {
            List<ClaimedRecipient> claimed = new ArrayList<>();
            for (java.util.Iterator<ClaimedRecipient> rows = due.iterator(); rows.hasNext() && claimed.size() < limit;) {
                ClaimedRecipient row = rows.next();
                if (!busyDomains.contains(row.domain())) {
                    rows.remove();
                    claimed.add(row);
                }
            }
            leftOut = Set.copyOf(busyDomains);
            claims.incrementAndGet();
            return Future.succeededFuture(claimed);
        }

        @Override
        public Future<Set<Long>> renew(List<ClaimedRecipient> rows, Duration lease) {
            Set<Long> ours = new java.util.HashSet<>();
            rows.stream().map(ClaimedRecipient::id).filter(id -> !takenOver.contains(id)).forEach(ours::add);
            return Future.succeededFuture(ours);
        }

        @Override
        public Future<Void> record(List<Verdict> written) {
            writes.incrementAndGet();
            if (failingWrites > 0) {
                failingWrites--;
                return Future.failedFuture(new io.vertx.core.VertxException("connection to the database lost", true));
            }
            verdicts.addAll(written);
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> release(List<ClaimedRecipient> rows) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Depth> depth() {
            return Future.succeededFuture(new Depth(0, Duration.ZERO));
        }
    }
}
