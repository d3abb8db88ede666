package dev.mailgateway.common.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class SqlPoolTimerNoiseTest {

    private final SqlPoolTimerNoise filter = new SqlPoolTimerNoise();

    @Test
    void thePoolTimersFailureOfAFailedQueryIsDropped() {
        assertFalse(filter.isLoggable(uncaught(exception("Result is already complete",
                frame("io.vertx.core.Promise", "fail"),
                frame("io.vertx.sqlclient.impl.pool.SqlConnectionPool", "lambda$execute$3"),
                frame("io.vertx.core.impl.VertxImpl$InternalTimerHandler", "handle")))));
    }

    @Test
    void theSameExceptionFromAnywhereElseIsKept() {
        assertTrue(filter.isLoggable(uncaught(exception("Result is already complete",
                frame("io.vertx.core.Promise", "fail"),
                frame("dev.mailgateway.worker.inbound.Intake", "lambda$store$1")))));
    }

    @Test
    void theSameFailOutsideATimerIsKept() {
        assertTrue(filter.isLoggable(uncaught(exception("Result is already complete",
                frame("io.vertx.core.Promise", "fail"),
                frame("io.vertx.sqlclient.impl.pool.SqlConnectionPool", "lambda$execute$9"),
                frame("io.vertx.core.impl.future.FutureImpl$4", "onSuccess")))));
    }

    @Test
    void anotherFailureOfThePoolIsKept() {
        assertTrue(filter.isLoggable(uncaught(exception("Connection refused",
                frame("io.vertx.core.Promise", "fail"),
                frame("io.vertx.sqlclient.impl.pool.SqlConnectionPool", "lambda$execute$3")))));
        assertTrue(filter.isLoggable(uncaught(null)));
        assertTrue(filter.isLoggable(uncaught(new IllegalStateException("Result is already complete", null) {
            @Override
            public synchronized Throwable fillInStackTrace() {
                return this;
            }
        })));
    }

    private static LogRecord uncaught(Throwable thrown) {
        LogRecord record = new LogRecord(Level.SEVERE, "Uncaught exception received by Vert.x");
        record.setThrown(thrown);
        return record;
    }

    private static IllegalStateException exception(String message, StackTraceElement... frames) {
        IllegalStateException exception = new IllegalStateException(message);
        exception.setStackTrace(frames);
        return exception;
    }

    private static StackTraceElement frame(String className, String method) {
        return new StackTraceElement(className, method, null, -1);
    }
}
