package dev.mailgateway.common.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops one false alarm of the Vert.x SQL client, and nothing else.
 *
 * <p>When the database cannot be reached, every query through the pool fails at once with the
 * connection error, as it should. But the pool leaves its connection-timeout timer running on that
 * path, and when the timer fires it fails the already failed promise: Vert.x then logs
 * "Uncaught exception received by Vert.x: IllegalStateException: Result is already complete" once
 * per failed query, 30 s later (eclipse-vertx/vertx-sql-client#1706, open in 4.5.x). A database
 * failover (deploy/chaos/postgres-failover) printed 403 of them; an operator would read them as a
 * bug of ours while the failure they follow was handled. Only that exact exception, thrown from
 * {@code Promise.fail} called by the pool's timeout lambda on a Vert.x timer, is dropped.
 */
@LoggingFilter(name = SqlPoolTimerNoise.NAME)
public final class SqlPoolTimerNoise implements Filter {

    /** The name the services' {@code quarkus.log.console.filter} gives. */
    public static final String NAME = "sql-pool-timer-noise";

    private static final String MESSAGE = "Result is already complete";
    private static final String PROMISE = "io.vertx.core.Promise";
    private static final String POOL = "io.vertx.sqlclient.impl.pool.SqlConnectionPool";
    private static final String TIMER = "io.vertx.core.impl.VertxImpl$InternalTimerHandler";

    @Override
    public boolean isLoggable(LogRecord record) {
        return !isPoolTimerNoise(record.getThrown());
    }

    static boolean isPoolTimerNoise(Throwable thrown) {
        if (!(thrown instanceof IllegalStateException) || !MESSAGE.equals(thrown.getMessage())) {
            return false;
        }
        // Promise.fail, called by a lambda of the pool's execute, run by a Vert.x timer: the timeout
        // lambda, not the result handler's fail (a lambda of execute too), which would be a real failure
        StackTraceElement[] frames = thrown.getStackTrace();
        return frames.length >= 3
                && frames[0].getClassName().equals(PROMISE) && frames[0].getMethodName().equals("fail")
                && frames[1].getClassName().equals(POOL) && frames[1].getMethodName().startsWith("lambda$execute$")
                && frames[2].getClassName().equals(TIMER);
    }
}
