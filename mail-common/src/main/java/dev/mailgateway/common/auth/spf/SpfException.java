package dev.mailgateway.common.auth.spf;

/**
 * Ends an evaluation with a permerror or temperror (RFC 7208 sections 2.6.6
 * and 2.6.7): thrown by the parser and the macro expander, and carried by
 * the evaluator's internal futures until the check turns it into its result.
 */
final class SpfException extends Exception {

    private static final long serialVersionUID = 1L;

    private final SpfResult.Status status;

    SpfException(SpfResult.Status status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    static SpfException permerror(String reason) {
        return new SpfException(SpfResult.Status.PERMERROR, reason);
    }

    static SpfException temperror(String reason) {
        return new SpfException(SpfResult.Status.TEMPERROR, reason);
    }

    SpfResult.Status status() {
        return status;
    }
}
