package dev.mailgateway.ingress;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import dev.mailgateway.common.testing.LineClient;
import dev.mailgateway.common.testing.LocalStack;
import dev.mailgateway.ingress.policy.KnownMailboxes;
import dev.mailgateway.ingress.protocol.Listener;

/**
 * RCPT asks the database once for a mailbox without a quota, then knows it,
 * and forgets it when its account changes: a removed account is refused with
 * 550 5.1.1 and a quota set later is checked again, never served from memory.
 */
@QuarkusTest
@QuarkusTestResource(LocalStack.class)
@QuarkusTestResource(TestZone.class)
class KnownMailboxesTest {

    @Inject
    IngressServer server;

    @Inject
    Pool pool;

    @Inject
    KnownMailboxes knownMailboxes;

    @Test
    void aRemovedAccountIsRefusedOnceItsRemovalIsAnnounced() throws Exception {
        String mailbox = account();
        rcptUntilKnown(mailbox);

        sql("delete from account where address = $1", mailbox);
        await(() -> !knownMailboxes.knows(mailbox), "the removal's notice drops the mailbox");
        rcpt(mailbox, "", "550 5.1.1 <" + mailbox + ">: Recipient address rejected: User unknown");
    }

    @Test
    void aQuotaSetLaterIsCheckedAgain() throws Exception {
        String mailbox = account();
        rcptUntilKnown(mailbox);

        // a password change is no notice: the mailbox stays known
        sql("update account set password_hash = 'changed' where address = $1", mailbox);
        rcpt(mailbox, " SIZE=5000", "250 2.1.5 Ok");
        assertTrue(knownMailboxes.knows(mailbox), "a password change keeps the mailbox");

        sql("update account set quota_bytes = 1000 where address = $1", mailbox);
        await(() -> !knownMailboxes.knows(mailbox), "the quota's notice drops the mailbox");
        rcpt(mailbox, " SIZE=5000", "452 4.2.2 <" + mailbox + ">: Mailbox full");
    }

    @Test
    void nothingIsTrustedWhileNobodyListens() throws Exception {
        String mailbox = account();
        rcptUntilKnown(mailbox);

        // the listening connection dies (a database restart, a proxy's idle timeout): what it kept may miss notices
        sql("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'LISTEN account_changed'");
        await(() -> !knownMailboxes.knows(mailbox), "a lost listener forgets every mailbox");

        // it listens again by itself, and its notices work as before
        rcptUntilKnown(mailbox);
        sql("delete from account where address = $1", mailbox);
        await(() -> !knownMailboxes.knows(mailbox), "the new listener hears the removal");
        rcpt(mailbox, "", "550 5.1.1 <" + mailbox + ">: Recipient address rejected: User unknown");
    }

    private String account() {
        String mailbox = "known-" + UUID.randomUUID() + "@example.test";
        sql("insert into account (address) values ($1)", mailbox);
        return mailbox;
    }

    /** RCPT until the ingress knows the mailbox: the listener may still be connecting, and until then nothing is kept. */
    private void rcptUntilKnown(String mailbox) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        do {
            rcpt(mailbox, "", "250 2.1.5 Ok");
        } while (!knownMailboxes.knows(mailbox) && System.currentTimeMillis() < deadline);
        assertTrue(knownMailboxes.knows(mailbox), "a mailbox without a quota is known after its RCPT");
    }

    private void rcpt(String mailbox, String mailParameters, String reply) throws Exception {
        try (LineClient c = new LineClient(server.port(Listener.MTA))) {
            c.expectStart("220 ");
            c.send("EHLO client.example\r\n");
            c.skipReply();
            c.send("MAIL FROM:<>" + mailParameters + "\r\nRCPT TO:<" + mailbox + ">\r\nQUIT\r\n");
            c.expect("250 2.1.0 Ok");
            c.expect(reply);
            c.expectStart("221 ");
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), what);
    }

    private void sql(String statement, Object... parameters) {
        pool.preparedQuery(statement).execute(Tuple.from(parameters)).toCompletionStage().toCompletableFuture().join();
    }
}
