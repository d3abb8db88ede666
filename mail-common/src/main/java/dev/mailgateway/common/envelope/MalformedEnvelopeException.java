package dev.mailgateway.common.envelope;

/** A record whose envelope cannot be read: it goes to mail.dead-letter with this reason. */
public class MalformedEnvelopeException extends Exception {
    public MalformedEnvelopeException(String reason) {
        super(reason);
    }
}
