package io.slackir.chat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.slackir.SlackirConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;

/**
 * This node's link to the others, through Redis pub/sub: it publishes each shout accepted here once to its room's
 * channel, tagged with this node's id, and hands what other nodes publish on the channels of its open rooms to
 * {@link Rooms}. Without {@code slackir.cluster.redis-url} it does nothing and the node is alone.
 * <p>
 * Two connections, one publishing and one subscribed, each reconnecting with backoff on its own. Everything about them
 * happens on one Vert.x context, in order: shouts of one room are published in the order they were accepted, so every
 * node sees each sender's shouts in order. While Redis is unreachable, local chat goes on: shouts to publish are held
 * (up to {@code hold-max}) and published when it is back; one log line says when the link went down and one when it is
 * back, and metrics and the readiness check tell the rest.
 */
@ApplicationScoped
public class Cluster {

    private static final Logger LOG = Logger.getLogger(Cluster.class);
    /** PUBLISH commands sent and not answered yet: the Redis client refuses more than its waiting queue (2,048). */
    private static final int IN_FLIGHT_MAX = 1024;

    /** What {@link Rooms} does with what comes from other nodes, and when the link changes. */
    interface Listener {
        /** A shout accepted on another node; {@code frame} is its shout frame as that node serialized it. */
        void relay(String room, Shout shout, byte[] frame);

        /** Whether this node has the room open: it wants the room's channel. */
        boolean wants(String room);

        /** The rooms this node has open. */
        Collection<String> open();

        /** This node now receives the room's channel: what another node publishes from now on reaches it. */
        void subscribed(String room);

        /** The subscription was lost: what other nodes published meanwhile may be missing. */
        void lost();
    }

    private record Outgoing(String channel, Buffer payload) {
    }

    private final SlackirConfig.Cluster config;
    private final Vertx vertx;
    private final String node;
    private final byte[] nodeTag;
    private final boolean enabled;
    private final ObjectMapper json;

    private Listener listener;
    private volatile Context context;
    private Redis redis;
    private volatile boolean stopped;

    // Touched on the context only
    private final Link publisher = new Link(this::publisherUp, () -> {
    });
    private final Link subscriber = new Link(this::subscriberUp, this::subscriberDown);
    private int inFlight;
    /** Published, not answered, in order: sent again if the connection breaks first (receivers drop duplicates). */
    private final ArrayDeque<Outgoing> unanswered = new ArrayDeque<>();
    /** Channels SUBSCRIBE was sent for on the current subscriber connection. */
    private final Set<String> subscribing = new HashSet<>();
    /** Channels Redis confirmed on the current subscriber connection. */
    private final Set<String> confirmed = new HashSet<>();
    private final Map<String, List<CompletableFuture<Void>>> waiters = new HashMap<>();
    /** When the link went down (null while up), for the one log line of each outage and the readiness check. */
    private volatile Instant downSince;
    /** Null until the link is first up or down; then whether both connections are up. */
    private volatile Boolean linkUp;

    /** Shouts to publish, from any thread, in acceptance order per room. */
    private final Queue<Outgoing> outgoing = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();

    private final Counter published;
    private final Counter relayed;
    private final Counter droppedCounter;
    private final Counter outages;
    private final Counter malformed;

    Cluster(SlackirConfig config, Vertx vertx, MeterRegistry registry, ObjectMapper json) {
        this.config = config.cluster();
        this.vertx = vertx;
        this.json = json;
        this.enabled = this.config.redisUrl().filter(url -> !url.isBlank()).isPresent();
        this.node = this.config.nodeId().orElseGet(() -> UUID.randomUUID().toString());
        this.nodeTag = (node + "\n").getBytes(StandardCharsets.UTF_8);
        this.published = registry.counter("slackir.cluster.published");
        this.relayed = registry.counter("slackir.cluster.relayed");
        this.droppedCounter = registry.counter("slackir.cluster.publish.dropped");
        this.outages = registry.counter("slackir.cluster.outages");
        this.malformed = registry.counter("slackir.cluster.malformed");
        if (enabled) {
            Gauge.builder("slackir.cluster.unpublished", waiting, AtomicInteger::get)
                    .description("Shouts accepted here waiting to be published to the other nodes")
                    .register(registry);
            Gauge.builder("slackir.cluster.connected", this, c -> c.connected() ? 1 : 0)
                    .description("1 while both Redis connections are up, 0 while shouts are not fanned out")
                    .register(registry);
        }
    }

    /** Whether this node fans out through Redis. */
    boolean enabled() {
        return enabled;
    }

    String node() {
        return node;
    }

    /** Connects to Redis (or keeps trying): called once by {@link Rooms} at startup. */
    void start(Listener listener) {
        this.listener = listener;
        if (!enabled) {
            return;
        }
        NetClientOptions net = new NetClientOptions().setConnectTimeout(2000).setTcpKeepAlive(true);
        redis = Redis.createClient(vertx, new RedisOptions()
                .setConnectionString(config.redisUrl().orElseThrow())
                .setNetClientOptions(net)
                .setMetricsName("slackir-cluster")
                .setMaxPoolSize(4)
                .setMaxWaitingHandlers(IN_FLIGHT_MAX * 2));
        context = vertx.getOrCreateContext();
        context.runOnContext(v -> {
            publisher.connect();
            subscriber.connect();
        });
        LOG.infof("Node %s fans out through Redis at %s", node, redactedUrl());
    }

    @PreDestroy
    void stop() {
        stopped = true;
        if (context != null) {
            context.runOnContext(v -> {
                for (Link link : List.of(publisher, subscriber)) {
                    if (link.connection != null) {
                        link.connection.close();
                    }
                }
                redis.close();
            });
        }
    }

    // --- Publishing --------------------------------------------------------------------------------------------------

    /**
     * Publishes a shout accepted here to its room's channel, the frame as serialized for this node's own members. Never
     * blocks; called under the room's lock, so a room's shouts are published in id order.
     */
    void publish(String room, byte[] frame) {
        if (!enabled) {
            return;
        }
        if (waiting.incrementAndGet() > config.holdMax()) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            droppedCounter.increment();
            return;
        }
        Buffer payload = Buffer.buffer(nodeTag.length + frame.length).appendBytes(nodeTag).appendBytes(frame);
        outgoing.offer(new Outgoing(config.channelPrefix() + room, payload));
        if (context != null && draining.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    /** On the context: sends what waits, keeping at most {@link #IN_FLIGHT_MAX} unanswered. */
    private void drain() {
        draining.set(false);
        if (publisher.connection == null) {
            return; // held until the publisher is back
        }
        Outgoing next;
        while (inFlight < IN_FLIGHT_MAX && (next = outgoing.poll()) != null) {
            send(next);
        }
        if (!outgoing.isEmpty() && inFlight < IN_FLIGHT_MAX && draining.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    private void send(Outgoing message) {
        RedisConnection sentOn = publisher.connection;
        inFlight++;
        unanswered.addLast(message);
        sentOn.send(Request.cmd(Command.PUBLISH).arg(message.channel()).arg(message.payload())).onComplete(done -> {
            if (sentOn != publisher.connection) {
                return; // that connection broke: what it left unanswered is sent again on the next one
            }
            if (done.failed() && !(done.cause() instanceof ErrorType)) {
                // The connection fails; its unanswered shouts go first on the next one
                publisher.lost(sentOn);
                return;
            }
            inFlight--;
            unanswered.pollFirst();
            waiting.decrementAndGet();
            if (done.succeeded()) {
                published.increment();
            } else {
                // Redis refused it (out of memory, an ACL): sending it again would loop
                dropped.incrementAndGet();
                droppedCounter.increment();
                LOG.debugf("Redis refused to publish a shout on %s: %s", message.channel(), done.cause());
            }
            if (inFlight < IN_FLIGHT_MAX / 2 && !outgoing.isEmpty() && draining.compareAndSet(false, true)) {
                context.runOnContext(v -> drain());
            }
        });
    }

    /** On the context, once the publishing connection is (again) up. */
    private void publisherUp(RedisConnection connection) {
        // What a broken connection left unanswered goes first, in order (the queue takes no insertion in front)
        if (!unanswered.isEmpty()) {
            List<Outgoing> again = new ArrayList<>(unanswered);
            unanswered.clear();
            Outgoing next;
            while ((next = outgoing.poll()) != null) {
                again.add(next);
            }
            again.forEach(outgoing::offer);
        }
        inFlight = 0;
        drain();
    }

    // --- Subscribing -------------------------------------------------------------------------------------------------

    /**
     * Brings the subscription of a room's channel in line with whether this node has the room open (asked of the
     * listener on the context, so a room closed and opened again in quick succession ends subscribed).
     */
    void sync(String room) {
        if (!enabled) {
            return;
        }
        context.runOnContext(v -> reconcile(room));
    }

    /** Completes once this node receives the room's channel; at once when alone. */
    CompletableFuture<Void> whenSubscribed(String room) {
        if (!enabled) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            String channel = config.channelPrefix() + room;
            if (confirmed.contains(channel)) {
                done.complete(null);
            } else {
                waiters.computeIfAbsent(channel, c -> new ArrayList<>()).add(done);
                reconcile(room);
            }
        });
        return done;
    }

    private void reconcile(String room) {
        String channel = config.channelPrefix() + room;
        boolean wanted = listener.wants(room);
        if (subscriber.connection == null) {
            return; // the next connection subscribes to every room open then
        }
        if (wanted && subscribing.add(channel)) {
            subscriber.connection.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
        } else if (!wanted && subscribing.remove(channel)) {
            confirmed.remove(channel);
            subscriber.connection.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel));
        }
    }

    /** On the context, once the subscribed connection is (again) up: subscribes to every room open now. */
    private void subscriberUp(RedisConnection connection) {
        subscribing.clear();
        confirmed.clear();
        connection.handler(this::received);
        List<String> channels = new ArrayList<>();
        for (String room : listener.open()) {
            String channel = config.channelPrefix() + room;
            if (subscribing.add(channel)) {
                channels.add(channel);
            }
        }
        if (!channels.isEmpty()) {
            Request subscribe = Request.cmd(Command.SUBSCRIBE);
            channels.forEach(subscribe::arg);
            connection.send(subscribe);
        }
        // Joins waiting for a room that closed meanwhile wait no more
        waiters.entrySet().removeIf(waiting -> {
            if (subscribing.contains(waiting.getKey())) {
                return false;
            }
            waiting.getValue().forEach(f -> f.complete(null));
            return true;
        });
    }

    /** On the context, once the subscribed connection is lost: what other nodes publish no longer arrives. */
    private void subscriberDown() {
        subscribing.clear();
        confirmed.clear();
        listener.lost();
    }

    /** On the context: a subscription confirmed, or a shout another node published. */
    private void received(Response response) {
        if (response == null || response.size() < 3) {
            return;
        }
        String kind = response.get(0).toString();
        String channel = response.get(1).toString();
        int prefix = config.channelPrefix().length();
        if (!channel.startsWith(config.channelPrefix())) {
            return;
        }
        String room = channel.substring(prefix);
        switch (kind) {
            case "message" -> relay(room, response.get(2).toBytes());
            case "subscribe" -> {
                if (subscribing.contains(channel) && confirmed.add(channel)) {
                    listener.subscribed(room);
                }
                List<CompletableFuture<Void>> done = waiters.remove(channel);
                if (done != null) {
                    done.forEach(f -> f.complete(null));
                }
            }
            default -> {
                // unsubscribe confirmations: nothing to do
            }
        }
    }

    private void relay(String room, byte[] payload) {
        int newline = indexOf(payload, (byte) '\n');
        if (newline < 0) {
            malformed.increment();
            return;
        }
        if (newline == nodeTag.length - 1 && startsWith(payload, nodeTag)) {
            return; // our own: delivered here when accepted
        }
        byte[] frame = new byte[payload.length - newline - 1];
        System.arraycopy(payload, newline + 1, frame, 0, frame.length);
        Frames.ShoutFrame shout;
        try {
            shout = json.readValue(frame, Frames.ShoutFrame.class);
        } catch (java.io.IOException | RuntimeException e) {
            malformed.increment();
            LOG.debugf("Dropped a malformed message on the channel of room %s: %s", room, e);
            return;
        }
        if (shout.id() == null || !room.equals(shout.room())) {
            malformed.increment();
            return;
        }
        relayed.increment();
        listener.relay(room, new Shout(shout.id(), shout.room(), shout.name(), shout.message(), shout.insertedAt()),
                frame);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length && i < 256; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    // --- The link ----------------------------------------------------------------------------------------------------

    /** One of the two connections to Redis, connected again with backoff whenever it breaks. Used on the context. */
    private final class Link {
        private final Consumer<RedisConnection> up;
        private final Runnable down;
        /** Null while there is none. */
        RedisConnection connection;
        private long backoff;

        Link(Consumer<RedisConnection> up, Runnable down) {
            this.up = up;
            this.down = down;
        }

        void connect() {
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
                connection = made;
                backoff = 0;
                // A broken connection ends (closed by Redis) or fails (an I/O error): either way it is gone
                made.exceptionHandler(e -> lost(made));
                made.endHandler(v -> lost(made));
                up.accept(made);
                linkMaybeUp();
            });
        }

        void lost(RedisConnection broken) {
            if (connection != broken) {
                return;
            }
            connection = null;
            broken.close();
            down.run();
            linkDown();
            retry();
        }

        /** Connects again after the next backoff, with jitter. */
        private void retry() {
            if (stopped) {
                return;
            }
            long base = config.reconnectBackoff().toMillis();
            backoff = backoff == 0 ? base : Math.min(backoff * 2, config.reconnectMaxBackoff().toMillis());
            long delay = Math.max(1, backoff / 2 + (long) (Math.random() * backoff / 2));
            vertx.setTimer(delay, id -> context.runOnContext(v -> connect()));
        }
    }

    /** One log line when the link goes down (a connection lost, or none made), none more until it is back. */
    private void linkDown() {
        if (stopped || Boolean.FALSE.equals(linkUp)) {
            return;
        }
        linkUp = false;
        downSince = Instant.now();
        outages.increment();
        LOG.warnf("Redis at %s is unreachable: this node serves its own connections only, shouts of other nodes do not"
                + " reach them; its own are held (up to %d) and published once Redis is back. Reconnecting with"
                + " backoff",
                redactedUrl(), config.holdMax());
    }

    /** One log line when both connections are up again. */
    private void linkMaybeUp() {
        if (publisher.connection == null || subscriber.connection == null || Boolean.TRUE.equals(linkUp)) {
            return;
        }
        Instant since = downSince;
        linkUp = true;
        downSince = null;
        if (since != null) {
            LOG.infof("Redis at %s is reachable again after %d ms: fanning out again, %d shout(s) still to publish,"
                    + " %d not held since start", redactedUrl(), Duration.between(since, Instant.now()).toMillis(),
                    waiting.get(), dropped.get());
        } else {
            LOG.infof("Connected to Redis at %s", redactedUrl());
        }
    }

    /** For the readiness check: null while the link is up. */
    Instant downSince() {
        return enabled ? downSince : null;
    }

    boolean connected() {
        return Boolean.TRUE.equals(linkUp);
    }

    int unpublished() {
        return waiting.get();
    }

    long dropped() {
        return dropped.get();
    }

    /** The URL without its password, for logs and health. */
    String redactedUrl() {
        return config.redisUrl().map(url -> url.replaceAll("//([^@/]*)@", "//***@")).orElse("");
    }
}
