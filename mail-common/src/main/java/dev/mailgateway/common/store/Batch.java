package dev.mailgateway.common.store;

import java.util.List;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** One statement run for many rows in one round trip: PostgreSQL's extended protocol, one sync for the batch. */
public final class Batch {

    /** Runs {@code sql} once per tuple; no tuples, no statement (an empty batch is an error to the client). */
    public static Future<Void> execute(SqlClient client, String sql, List<Tuple> tuples) {
        return tuples.isEmpty() ? Future.succeededFuture() : client.preparedQuery(sql).executeBatch(tuples).mapEmpty();
    }

    private Batch() {
    }
}
