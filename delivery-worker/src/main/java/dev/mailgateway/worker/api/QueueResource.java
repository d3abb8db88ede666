package dev.mailgateway.worker.api;

import java.util.List;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;

import dev.mailgateway.common.envelope.QueueId;
import dev.mailgateway.worker.qmgr.QueueManager;
import dev.mailgateway.worker.queue.DeliveryQueue;

/**
 * The queue API of CONTRACT.md, behind the admin token: list the deferred
 * recipients, make one message or all of them due now, drop a message (with
 * a bounce unless asked not to). Like Postfix's mailq, postqueue -i/-f and
 * postsuper -d, but over HTTP and for every replica at once.
 */
@Path("/api/queue")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    /** Rows one listing returns: enough for any operator's screen, bounded for a queue of millions. */
    static final int LIST_LIMIT = 10_000;
    static final String DELETED_STATUS = "5.0.0";

    private final DeliveryQueue queue;
    private final QueueManager queueManager;

    public QueueResource(DeliveryQueue queue, QueueManager queueManager) {
        this.queue = queue;
        this.queueManager = queueManager;
    }

    @GET
    public Uni<List<DeliveryQueue.Listed>> list() {
        return uni(queue.list(LIST_LIMIT));
    }

    @POST
    @Path("{queueId}/retry")
    public Uni<Response> retry(@PathParam("queueId") String queueId) {
        if (!QueueId.isValid(queueId)) {
            return Uni.createFrom().item(Response.status(Status.NOT_FOUND).build());
        }
        return uni(queue.dueNow(queueId)).map(rows -> {
            if (rows == 0) {
                return Response.status(Status.NOT_FOUND).build();
            }
            queueManager.flush();
            return Response.accepted().build();
        });
    }

    @POST
    @Path("flush")
    public Uni<Response> flush() {
        return uni(queue.dueNow(null)).map(rows -> {
            queueManager.flush();
            return Response.accepted().build();
        });
    }

    @DELETE
    @Path("{queueId}")
    public Uni<Response> delete(@PathParam("queueId") String queueId, @QueryParam("dsn") @DefaultValue("true") boolean dsn) {
        if (!QueueId.isValid(queueId)) {
            return Uni.createFrom().item(Response.status(Status.NOT_FOUND).build());
        }
        return uni(queue.remove(queueId, dsn, DELETED_STATUS, "550 " + DELETED_STATUS + " deleted from the queue by the postmaster")).map(rows -> {
            if (rows == 0) {
                return Response.status(Status.NOT_FOUND).build();
            }
            if (dsn) {
                queueManager.wake();
            }
            return Response.noContent().build();
        });
    }

    private static <T> Uni<T> uni(Future<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage());
    }
}
