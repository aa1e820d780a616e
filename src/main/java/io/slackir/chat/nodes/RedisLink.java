package io.slackir.chat.nodes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.slackir.Backoff;
import io.slackir.SlackirConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;

/**
 * This node's two connections to Redis, one to publish on and one subscribed, each connected again with backoff
 * whenever it breaks. Everything happens on one Vert.x context. One log line says when the link went down and one when
 * it is back, never one per attempt.
 */
final class RedisLink {

    private static final Logger LOG = Logger.getLogger(RedisLink.class);
    /** PUBLISH commands sent and not answered yet: the Redis client refuses more than its waiting queue (2,048). */
    static final int IN_FLIGHT_MAX = 1024;

    /** One of the two connections. Used on the context only. */
    final class Connection {
        private final Consumer<RedisConnection> up;
        private final Runnable down;
        /** Null while there is none. */
        RedisConnection current;
        private int failures;

        private Connection(Consumer<RedisConnection> up, Runnable down) {
            this.up = up;
            this.down = down;
        }

        private void connect() {
            if (stopped) {
                return;
            }
            redis.connect().onComplete(connecting -> {
                if (connecting.failed()) {
                    LOG.debugf("Could not connect to Redis: %s", connecting.cause().toString());
                    linkDown();
                    retry();
                    return;
                }
                RedisConnection made = connecting.result();
                current = made;
                failures = 0;
                // A broken connection ends (closed by Redis) or fails (an I/O error): either way it is gone
                made.exceptionHandler(e -> lost(made));
                made.endHandler(v -> lost(made));
                up.accept(made);
                linkMaybeUp();
            });
        }

        /** The connection broke: it is closed and made again after a pause. */
        void lost(RedisConnection broken) {
            if (stopped || current != broken) {
                return; // closed on purpose, or already replaced: nobody is told of a loss
            }
            current = null;
            broken.close();
            down.run();
            linkDown();
            retry();
        }

        private void retry() {
            if (!stopped) {
                long delay = Math.max(1, backoff.after(++failures).toMillis());
                vertx.setTimer(delay, id -> context.runOnContext(v -> connect()));
            }
        }
    }

    private final SlackirConfig.Cluster config;
    private final Vertx vertx;
    private final Context context;
    private final Backoff backoff;
    private final Redis redis;
    private final Counter outages;
    /** What is held back while the link is down, for the log line when it is back. */
    private final Supplier<String> held;
    final Connection publisher;
    final Connection subscriber;
    private volatile boolean stopped;
    /** When the link went down (null while up), for the one log line of each outage and the readiness check. */
    private volatile Instant downSince;
    /** Null until the link is first up or down; then whether both connections are up. */
    private volatile Boolean up;

    RedisLink(SlackirConfig.Cluster config, Vertx vertx, Context context, Counter outages, Supplier<String> held,
            Consumer<RedisConnection> publisherUp, Consumer<RedisConnection> subscriberUp, Runnable subscriberDown) {
        this.config = config;
        this.vertx = vertx;
        this.context = context;
        this.outages = outages;
        this.held = held;
        this.backoff = new Backoff(config.reconnectBackoff(), config.reconnectMaxBackoff());
        this.redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(config.redisUrl().orElseThrow())
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(2000).setTcpKeepAlive(true))
                .setMetricsName("slackir-cluster")
                .setMaxPoolSize(4)
                .setMaxWaitingHandlers(IN_FLIGHT_MAX * 2));
        this.publisher = new Connection(publisherUp, () -> {
        });
        this.subscriber = new Connection(subscriberUp, subscriberDown);
    }

    void start() {
        context.runOnContext(v -> {
            publisher.connect();
            subscriber.connect();
        });
    }

    void stop() {
        stopped = true;
        context.runOnContext(v -> {
            for (Connection connection : List.of(publisher, subscriber)) {
                if (connection.current != null) {
                    connection.current.close();
                }
            }
            redis.close();
        });
    }

    /** One log line when the link goes down (a connection lost, or none made), none more until it is back. */
    private void linkDown() {
        if (stopped || Boolean.FALSE.equals(up)) {
            return;
        }
        up = false;
        downSince = Instant.now();
        outages.increment();
        LOG.warnf("Redis at %s is unreachable: this node serves its own connections only, shouts of other nodes do not"
                + " reach them; its own are held (up to %d) and published once Redis is back. Reconnecting with"
                + " backoff", redactedUrl(config), config.holdMax());
    }

    /** One log line when both connections are up again. */
    private void linkMaybeUp() {
        if (publisher.current == null || subscriber.current == null || Boolean.TRUE.equals(up)) {
            return;
        }
        Instant since = downSince;
        up = true;
        downSince = null;
        if (since != null) {
            LOG.infof("Redis at %s is reachable again after %d ms: fanning out again, %s", redactedUrl(config),
                    Duration.between(since, Instant.now()).toMillis(), held.get());
        } else {
            LOG.infof("Connected to Redis at %s", redactedUrl(config));
        }
    }

    /** Null while the link is up (or not tried yet). */
    Instant downSince() {
        return downSince;
    }

    /** Whether both connections are up. */
    boolean up() {
        return Boolean.TRUE.equals(up);
    }

    /** The URL without its password, for logs and health. */
    static String redactedUrl(SlackirConfig.Cluster config) {
        return config.redisUrl().map(url -> url.replaceAll("//([^@/]*)@", "//***@")).orElse("");
    }
}
