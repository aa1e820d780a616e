package io.slackir;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Slackir's own settings, {@code slackir.*}: each default is what a single node wants with no tuning. */
@ConfigMapping(prefix = "slackir")
public interface SlackirConfig {

    Persistence persistence();

    /** How accepted shouts reach PostgreSQL. */
    interface Persistence {

        /**
         * The threads that write shouts: their own pool, so a slow database never takes the threads the sockets and
         * the HTTP API run on. Keep it below the datasource's pool size ({@code quarkus.datasource.jdbc.max-size}).
         */
        @WithDefault("8")
        int threads();

        /**
         * The most shouts accepted and not stored yet. At the bound a new shout is refused ({@code overloaded} over
         * the socket, 503 over HTTP) instead of growing memory without limit.
         */
        @WithDefault("10000")
        int backlogMax();

        /** Readiness is DOWN while more shouts than this wait to be stored: a load balancer sends new users elsewhere. */
        @WithDefault("5000")
        int backlogReady();

        /**
         * How long a shout is retried through transient database failures (connection lost or refused, pool timeout,
         * serialization failure, deadlock), counted from its acceptance. Then its sender gets {@code not_stored}.
         */
        @WithDefault("60s")
        Duration retryDeadline();

        /** The first pause before a retry; each next one doubles, up to {@link #retryMaxBackoff}, with jitter. */
        @WithDefault("100ms")
        Duration retryBackoff();

        @WithDefault("5s")
        Duration retryMaxBackoff();

        /**
         * On shutdown (SIGTERM), how long to wait for the backlog to be stored before the datasource closes; at most
         * {@code quarkus.shutdown.timeout} when that is set. What is still owed then is logged, shout by shout.
         */
        @WithDefault("30s")
        Duration drainTimeout();
    }
}
