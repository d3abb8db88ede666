package dev.mailgateway.common.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.mailgateway.common.config.MailConfig;

/**
 * Every /api call of a service with a REST API needs {@code Authorization: Bearer <mail.admin-token>};
 * without a configured token every call is refused (CONTRACT.md).
 */
public class AdminTokenFilter {

    private static final Logger LOG = Logger.getLogger(AdminTokenFilter.class);

    private final byte[] token;

    public AdminTokenFilter(MailConfig config) {
        this.token = config.adminToken().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        boolean ok = token != null && header != null && header.startsWith("Bearer ")
                // constant time: no timing hint about how much of a guess was right
                && MessageDigest.isEqual(token, header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8));
        if (ok) {
            return null;
        }
        LOG.warnf("%s %s refused: %s", request.getMethod(), request.getUriInfo().getPath(),
                token == null ? "mail.admin-token is not set" : header == null ? "no Authorization header" : "wrong token");
        return Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }
}
