package dev.mailgateway.ingress.protocol;

import java.util.List;

import io.vertx.core.Future;

import dev.mailgateway.common.reply.SmtpReply;

/**
 * Judges a message that arrived on the MTA port without AUTH, before its end-of-data reply (issue 19:
 * SPF, DKIM and DMARC). Authenticated submissions are not checked: the session knows who sent them.
 */
public interface MessageChecks {

    /** What the session knows of who sent it: the connection's address, the HELO name, the reverse-path ("" for {@code <>}). */
    record Sender(String clientAddress, String heloName, String reversePath) {
    }

    /**
     * A refusal for the end of data, or the message accepted with fields to put right under the
     * {@code Received:} line and ranges of the message to leave out (header fields found forged).
     */
    record Verdict(SmtpReply refusal, String addedFields, List<ReceivedMessage.Range> omitted) {

        /** Accepted as it came: nothing checked, nothing added. */
        public static final Verdict UNCHECKED = new Verdict(null, "", List.of());

        public Verdict {
            omitted = List.copyOf(omitted);
        }

        public static Verdict refused(SmtpReply refusal) {
            return new Verdict(refusal, "", List.of());
        }
    }

    /** No checks: for a gateway behind another filter ({@code smtp.auth-checks.enabled=false}). */
    MessageChecks NONE = (sender, message) -> Future.succeededFuture(Verdict.UNCHECKED);

    /** The verdict; the future never fails. The message's bytes are read, not changed. */
    Future<Verdict> check(Sender sender, ReceivedMessage message);
}
