package dev.mailgateway.common.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

import dev.mailgateway.common.config.MailConfig;

/**
 * Liveness of the Vert.x event loops, in every service: DOWN while any loop
 * has run no task for longer than {@code mail.health.event-loop-stall}. Each
 * loop stamps the time from a heartbeat task of its own; a loop stuck in one
 * handler (a blocking call, an endless loop, a heap too full for the
 * handler to get on) stops stamping.
 * <p>
 * Why it is needed: the HTTP server runs on every loop and new connections are
 * handed to the loops in turn, so with one loop stuck only the probes that land
 * on it hang; the others would answer UP and the supervisor would never restart
 * the service. Quarkus runs a synchronous check like this one on a worker
 * thread, so the check itself never waits for a loop; a probe whose connection
 * lands on the stuck loop is not read until the loop frees, and fails at its own
 * timeout. Reads only timestamps: not security-sensitive.
 */
@Liveness
public class EventLoopLiveness implements HealthCheck {

    /** Heartbeats per stall period: a healthy loop's stamp is never more than a tenth of the period old. */
    private static final int BEATS_PER_STALL = 10;
    /** Below this, a long garbage collection pause would read as a stalled loop. */
    private static final Duration MIN_STALL = Duration.ofSeconds(1);

    /** One loop's heartbeat: when it last ran, and on which thread (as Vert.x's blocked-thread warnings name it). */
    private static final class Heartbeat implements Runnable {
        volatile long lastNanos = System.nanoTime();
        volatile String thread;

        Heartbeat(String unstartedName) {
            thread = unstartedName;
        }

        @Override
        public void run() {
            lastNanos = System.nanoTime();
            thread = Thread.currentThread().getName();
        }
    }

    private final Vertx vertx;
    private final Duration stall;
    private volatile List<Heartbeat> heartbeats = List.of();
    private volatile List<ScheduledFuture<?>> schedules = List.of();

    EventLoopLiveness(Vertx vertx, MailConfig config) {
        this.vertx = vertx;
        this.stall = config.health().eventLoopStall();
    }

    void start(@Observes StartupEvent startup) {
        if (stall.compareTo(MIN_STALL) < 0) {
            throw new IllegalStateException("mail.health.event-loop-stall must be at least " + MIN_STALL.toSeconds() + "s, not " + stall);
        }
        long periodNanos = stall.toNanos() / BEATS_PER_STALL;
        List<Heartbeat> beats = new ArrayList<>();
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            Heartbeat beat = new Heartbeat("event loop " + beats.size());
            tasks.add(loop.scheduleAtFixedRate(beat, 0, periodNanos, TimeUnit.NANOSECONDS));
            beats.add(beat);
        }
        heartbeats = List.copyOf(beats);
        schedules = List.copyOf(tasks);
    }

    /** Quarkus's dev mode keeps Vert.x across restarts: the old application's heartbeats must not outlive it. */
    void stop(@Observes ShutdownEvent shutdown) {
        schedules.forEach(task -> task.cancel(false));
    }

    /** UP, or DOWN with each stalled loop's thread and the milliseconds since it last ran its heartbeat. */
    @Override
    public HealthCheckResponse call() {
        long now = System.nanoTime();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-loops").up();
        for (Heartbeat beat : heartbeats) {
            long silentMillis = TimeUnit.NANOSECONDS.toMillis(now - beat.lastNanos);
            if (silentMillis > stall.toMillis()) {
                response.down().withData(beat.thread, silentMillis);
            }
        }
        return response.build();
    }
}
