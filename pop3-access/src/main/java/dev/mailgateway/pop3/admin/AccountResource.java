package dev.mailgateway.pop3.admin;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

import dev.mailgateway.common.account.Passwords;
import dev.mailgateway.common.address.AddressException;
import dev.mailgateway.common.address.LocalDomains;
import dev.mailgateway.common.address.MailAddress;
import dev.mailgateway.pop3.apop.ApopSecrets;

/**
 * The account admin API of CONTRACT.md. Passwords are stored only as bcrypt
 * hashes, computed on a worker thread; APOP secrets only encrypted.
 */
@Path("/api/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AccountResource {

    public record NewAccount(String address, String password, Long quotaBytes) {
    }

    public record NewPassword(String password) {
    }

    public record NewApopSecret(String secret) {
    }

    public record AccountView(String address, long messages, long bytes, long quotaBytes) {
    }

    private final LocalDomains localDomains;
    private final ApopSecrets apopSecrets;
    private final Vertx vertx;
    private final Pool pool;

    public AccountResource(LocalDomains localDomains, ApopSecrets apopSecrets, Vertx vertx, Pool pool) {
        this.localDomains = localDomains;
        this.apopSecrets = apopSecrets;
        this.vertx = vertx;
        this.pool = pool;
    }

    @GET
    public Uni<List<AccountView>> list() {
        return pool.query("select a.address, count(e.id) as messages, coalesce(sum(e.size_bytes), 0) as bytes, a.quota_bytes"
                + " from account a left join mailbox_entry e on e.account_id = a.id group by a.id order by a.address")
                .execute()
                .map(rows -> {
                    List<AccountView> views = new java.util.ArrayList<>();
                    for (Row row : rows) {
                        views.add(new AccountView(row.getString(0), row.getLong(1), row.getLong(2), row.getLong(3)));
                    }
                    return views;
                });
    }

    @POST
    @WithTransaction
    public Uni<Response> create(NewAccount request) {
        if (request == null || request.address() == null || !isLocalMailbox(request.address())) {
            return status(Status.BAD_REQUEST, "address must be local-part@domain in a local domain");
        }
        if (request.password() == null || request.password().isEmpty()) {
            return status(Status.BAD_REQUEST, "password is required");
        }
        if (request.quotaBytes() != null && request.quotaBytes() < 0) {
            return status(Status.BAD_REQUEST, "quotaBytes must be 0 (no quota) or more");
        }
        String address = MailAddress.parse(request.address()).mailboxKey();
        return Account.findByAddress(address).chain(existing -> {
            if (existing != null) {
                return status(Status.CONFLICT, "account exists");
            }
            return hash(request.password()).chain(hash -> {
                Account account = new Account();
                account.address = address;
                account.passwordHash = hash;
                account.quotaBytes = request.quotaBytes() == null ? 0 : request.quotaBytes();
                return account.<Account>persist().replaceWith(Response.status(Status.CREATED).build());
            });
        });
    }

    @PUT
    @Path("{address}/password")
    @WithTransaction
    public Uni<Response> setPassword(@PathParam("address") String address, NewPassword request) {
        if (request == null || request.password() == null || request.password().isEmpty()) {
            return status(Status.BAD_REQUEST, "password is required");
        }
        return Account.findByAddress(address).chain(account -> account == null ? status(Status.NOT_FOUND, "no such account")
                : hash(request.password()).invoke(hash -> account.passwordHash = hash).replaceWith(Response.noContent().build()));
    }

    @PUT
    @Path("{address}/apop-secret")
    @WithTransaction
    public Uni<Response> setApopSecret(@PathParam("address") String address, NewApopSecret request) {
        if (!apopSecrets.enabled()) {
            return status(Status.CONFLICT, "APOP is off: pop3.apop.key is not set");
        }
        if (request == null || request.secret() == null || request.secret().isEmpty()) {
            return status(Status.BAD_REQUEST, "secret is required");
        }
        return Account.findByAddress(address).chain(account -> {
            if (account == null) {
                return status(Status.NOT_FOUND, "no such account");
            }
            account.apopSecret = apopSecrets.encrypt(request.secret());
            return Uni.createFrom().item(Response.noContent().build());
        });
    }

    @DELETE
    @Path("{address}")
    @WithTransaction
    public Uni<Response> delete(@PathParam("address") String address) {
        if (MailAddress.keyOf(address).equals(localDomains.postmasterMailbox())) {
            return status(Status.CONFLICT, "the postmaster account cannot be deleted");
        }
        return Account.findByAddress(address).chain(account -> {
            if (account == null) {
                return status(Status.NOT_FOUND, "no such account");
            }
            // its mailbox entries go by the schema's cascade, and with them the bodies nobody else references (V12)
            return account.delete().replaceWith(Response.noContent().build());
        });
    }

    private boolean isLocalMailbox(String address) {
        try {
            return localDomains.isLocal(MailAddress.parse(address).domain());
        } catch (AddressException e) {
            return false;
        }
    }

    /** bcrypt on a worker thread; the result comes back on this request's context. */
    private Uni<String> hash(String password) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> Passwords.hash(password)));
    }

    /** An error answer: the status and {@code {"error": ...}}. */
    static Uni<Response> status(Status status, String error) {
        return Uni.createFrom().item(Response.status(status).entity(new Error(error)).build());
    }

    /** The body of an error answer. */
    public record Error(String error) {
    }
}
