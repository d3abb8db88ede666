package dev.mailgateway.pop3;

import static io.restassured.RestAssured.given;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.HttpClientConfig;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

import dev.mailgateway.common.testing.LocalStack;

/**
 * mail.health.event-loop-stall over HTTP: with one event loop blocked past the
 * threshold, /q/health/live answers DOWN within seconds, naming that loop, and
 * UP again once it runs. No request may go unanswered past its timeout.
 */
@QuarkusTest
@TestProfile(EventLoopLivenessTest.ShortStall.class)
@QuarkusTestResource(LocalStack.class)
class EventLoopLivenessTest {

    private static final Duration STALL = Duration.ofSeconds(2);
    /** The longest one request may wait for its answer: the endpoint must never hang. */
    private static final int ANSWER_TIMEOUT_MILLIS = 2_000;
    private static final String EVENT_LOOPS = "checks.find { it.name == 'event-loops' }";

    public static class ShortStall implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // one HTTP server instance, so every request of this test lands on the loop the test leaves alone:
            // a connection handed to the blocked loop would not be read until it runs again
            return Map.of("mail.health.event-loop-stall", STALL.toSeconds() + "s", "quarkus.http.io-threads", "1");
        }
    }

    /** Names the event loop that serves HTTP. */
    @ApplicationScoped
    static class HttpLoopRoute {
        void route(@Observes Router router) {
            router.get("/test/http-loop").handler(request -> request.response().end(Thread.currentThread().getName()));
        }
    }

    private record Loop(EventExecutor executor, String thread) {
    }

    @Inject
    Vertx vertx;

    @Test
    void aBlockedEventLoopMakesLivenessDownUntilItRunsAgain() throws Exception {
        awaitLiveness(200, Duration.ZERO).body(EVENT_LOOPS + ".status", is("UP"));
        Loop blocked = loopOtherThan(answering().get("/test/http-loop").then().statusCode(200).extract().asString());
        CountDownLatch release = new CountDownLatch(1);
        blocked.executor().execute(() -> {
            try {
                // bounded, so a failed test never leaves the loop blocked
                release.await(60, SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            ValidatableResponse down = awaitLiveness(503, STALL.plusSeconds(3));
            down.body("status", is("DOWN")).body(EVENT_LOOPS + ".status", is("DOWN"));
            Map<String, Object> stalled = down.extract().jsonPath().getMap(EVENT_LOOPS + ".data");
            assertEquals(Set.of(blocked.thread()), stalled.keySet(), "only the blocked loop is named");
            assertTrue(((Number) stalled.get(blocked.thread())).longValue() > STALL.toMillis(), "silent past the threshold: " + stalled);
        } finally {
            release.countDown();
        }
        awaitLiveness(200, Duration.ofSeconds(3)).body("status", is("UP")).body(EVENT_LOOPS + ".status", is("UP"));
    }

    private Loop loopOtherThan(String httpLoop) throws Exception {
        for (EventExecutor executor : vertx.nettyEventLoopGroup()) {
            String thread = executor.submit(() -> Thread.currentThread().getName()).get(5, SECONDS);
            if (!thread.equals(httpLoop)) {
                return new Loop(executor, thread);
            }
        }
        throw new AssertionError("no event loop but the HTTP one, " + httpLoop);
    }

    /** Asks /q/health/live until it answers {@code status}, at most for {@code within}; each answer must come in time. */
    private static ValidatableResponse awaitLiveness(int status, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            ValidatableResponse response = answering().get("/q/health/live").then();
            if (response.extract().statusCode() == status) {
                return response;
            }
            if (System.nanoTime() > deadline) {
                fail("/q/health/live still answers " + response.extract().asString() + " after " + within);
            }
            Thread.sleep(100);
        }
    }

    /** A request that fails, rather than waits, when no answer comes within ANSWER_TIMEOUT_MILLIS. */
    private static RequestSpecification answering() {
        return given().config(RestAssured.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.connection.timeout", ANSWER_TIMEOUT_MILLIS)
                .setParam("http.socket.timeout", ANSWER_TIMEOUT_MILLIS)));
    }
}
