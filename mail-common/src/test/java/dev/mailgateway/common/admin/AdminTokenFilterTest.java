package dev.mailgateway.common.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mailgateway.common.config.MailConfig;

class AdminTokenFilterTest {

    private static final String TOKEN = "s3cret-admin-token";

    private final List<LogRecord> logged = new ArrayList<>();
    private final java.util.logging.Logger log = java.util.logging.Logger.getLogger(AdminTokenFilter.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        log.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        log.removeHandler(capture);
    }

    private static AdminTokenFilter filter(String token) {
        return new AdminTokenFilter(new MailConfig() {
            public List<String> domains() {
                return List.of("example.test");
            }

            public String hostname() {
                return "localhost";
            }

            public Optional<String> postmaster() {
                return Optional.empty();
            }

            public Optional<String> adminToken() {
                return Optional.ofNullable(token);
            }

            public Health health() {
                throw new UnsupportedOperationException("the filter reads only the token");
            }

            public Dkim dkim() {
                throw new UnsupportedOperationException("the filter reads only the token");
            }

            public Dns dns() {
                throw new UnsupportedOperationException("the filter reads only the token");
            }
        });
    }

    /** A request for {@code path} (as JAX-RS gives it: percent-decoded) with that Authorization header, or none. */
    private static ContainerRequestContext request(String path, String authorization) {
        UriInfo uri = (UriInfo) Proxy.newProxyInstance(UriInfo.class.getClassLoader(), new Class<?>[] {UriInfo.class},
                (proxy, method, args) -> method.getName().equals("getPath") ? path : null);
        return (ContainerRequestContext) Proxy.newProxyInstance(ContainerRequestContext.class.getClassLoader(),
                new Class<?>[] {ContainerRequestContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getUriInfo" -> uri;
                    case "getMethod" -> "GET";
                    case "getHeaderString" -> HttpHeaders.AUTHORIZATION.equals(args[0]) ? authorization : null;
                    default -> null;
                });
    }

    private static int status(Response response) {
        return response == null ? 200 : response.getStatus();
    }

    @Test
    void theRightTokenPassesAndAnyOtherOfAnyLengthDoesNot() {
        AdminTokenFilter filter = filter(TOKEN);
        assertNull(filter.check(request("/api/accounts", "Bearer " + TOKEN)));
        for (String wrong : new String[] {"", "s", TOKEN.substring(1), TOKEN + "x", "x" + TOKEN.substring(1), TOKEN.repeat(100)}) {
            assertEquals(401, status(filter.check(request("/api/accounts", "Bearer " + wrong))), wrong);
        }
        assertEquals(401, status(filter.check(request("/api/accounts", null))));
        assertEquals(401, status(filter.check(request("/api/accounts", TOKEN))), "no Bearer scheme");
    }

    @Test
    void withoutATokenEveryCallIsRefusedAndOnlyApiIsGuarded() {
        assertEquals(401, status(filter(null).check(request("/api/accounts", "Bearer "))));
        assertEquals(401, status(filter(" ").check(request("/api/accounts", "Bearer  "))));
        assertNull(filter(TOKEN).check(request("/q/health/ready", null)));
    }

    @Test
    void aRefusedPathIsLoggedWithoutItsLineBreaks() {
        filter(TOKEN).check(request("/api/accounts\r\n2026-12-05 INFO forged line", "Bearer wrong"));
        assertEquals(1, logged.size());
        String line = logged.get(0).getMessage();
        assertEquals("GET /api/accounts\\x0D\\x0A2026-12-05 INFO forged line refused: wrong token", line);
    }
}
