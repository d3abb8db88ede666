package dev.mailgateway.ingress.protocol;

/** The three SMTP listeners and what each demands (RFC 5321, RFC 6409, RFC 8314). */
public enum Listener {
    /** Port 25's role: mail for local domains from anyone; relay only after AUTH. */
    MTA(false, false),
    /** Port 587's role: message submission, AUTH required before MAIL. */
    SUBMISSION(true, false),
    /** Port 465's role: submission over implicit TLS. */
    SUBMISSIONS(true, true);

    /** MAIL is refused with 530 5.7.0 until the client authenticated. */
    public final boolean authRequired;
    /** TLS from the first byte. */
    public final boolean implicitTls;

    Listener(boolean authRequired, boolean implicitTls) {
        this.authRequired = authRequired;
        this.implicitTls = implicitTls;
    }
}
