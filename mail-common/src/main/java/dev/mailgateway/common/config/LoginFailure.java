package dev.mailgateway.common.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

import dev.mailgateway.common.account.FailedLogins;

/** How failed logins are slowed down: the {@code smtp.login-failure.*} and {@code pop3.login-failure.*} keys. */
public interface LoginFailure {

    /** Wait before answering a first failed login; doubled per further failure of the client address or account; 0 turns delays off. */
    @WithDefault("1s")
    Duration delay();

    /** The longest wait the doubling reaches. */
    @WithDefault("30s")
    Duration maxDelay();

    /** A client address or account without failures for this long starts again from {@code delay}. */
    @WithDefault("15m")
    Duration forgetAfter();

    /** The memory of failed logins these settings describe, on the wall clock. */
    default FailedLogins failedLogins() {
        return new FailedLogins(delay(), maxDelay(), forgetAfter(), System::currentTimeMillis);
    }
}
