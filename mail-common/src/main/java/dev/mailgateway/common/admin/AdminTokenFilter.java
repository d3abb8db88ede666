package dev.mailgateway.common.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.mailgateway.common.config.MailConfig;
import dev.mailgateway.common.server.ClientText;

/**
 * Every /api call of a service with a REST API needs {@code Authorization: Bearer <mail.admin-token>};
 * without a configured token every call is refused (CONTRACT.md).
 */
public class AdminTokenFilter {

    private static final Logger LOG = Logger.getLogger(AdminTokenFilter.class);

    /** SHA-256 of the configured token; null when none is set. */
    private final byte[] tokenDigest;

    public AdminTokenFilter(MailConfig config) {
        this.tokenDigest = config.adminToken().filter(t -> !t.isBlank()).map(AdminTokenFilter::sha256).orElse(null);
    }

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        boolean ok = tokenDigest != null && header != null && header.startsWith("Bearer ")
                // digests of one length, compared in constant time: the answer's timing tells nothing
                // about how much of a guess was right, nor about the token's length
                && MessageDigest.isEqual(tokenDigest, sha256(header.substring("Bearer ".length())));
        if (ok) {
            return null;
        }
        // the path comes percent-decoded: /api/x%0D%0A... would otherwise write a log line of the caller's making
        LOG.warnf("%s %s refused: %s", ClientText.loggable(request.getMethod()), ClientText.loggable(request.getUriInfo().getPath()),
                tokenDigest == null ? "mail.admin-token is not set" : header == null ? "no Authorization header" : "wrong token");
        return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
