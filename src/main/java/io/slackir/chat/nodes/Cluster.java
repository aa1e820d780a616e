package io.slackir.chat.nodes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.slackir.SlackirConfig;
import io.slackir.chat.protocol.RoomEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * This node's part in the cross-node protocol, through Redis pub/sub: it publishes each room event that happens here
 * once to its room's channel ({@link Envelope}), and hands what other nodes publish on the channels of its open rooms
 * to {@link Rooms}. Without {@code slackir.cluster.redis-url} it does nothing and the node is alone.
 * <p>
 * Everything about the link happens on one Vert.x context, in order: a room's events are published in the order they
 * happened, so every node sees each sender's shouts in order. While Redis is unreachable ({@link RedisLink}), local
 * chat goes on: events to publish are held (up to {@code hold-max}) and published when it is back.
 */
@ApplicationScoped
public class Cluster {

    private static final Logger LOG = Logger.getLogger(Cluster.class);
    /** What {@link Rooms} does with what comes from other nodes, and when the link changes. */
    public interface Listener {
        /** An event that happened on another node; {@code frame} is its frame as that node serialized it. */
        void relay(RoomEvent event, byte[] frame);

        /** Whether this node has the room open: it wants the room's channel. */
        boolean wants(String room);

        /** The rooms this node has open. */
        Collection<String> open();

        /** This node now receives the room's channel: what another node publishes from now on reaches it. */
        void subscribed(String room);

        /** The subscription was lost: what other nodes published meanwhile may be missing. */
        void lost();
    }

    private final SlackirConfig.Cluster config;
    private final Vertx vertx;
    private final String node;
    private final boolean enabled;
    private final Envelope envelope;

    private Listener listener;
    private volatile Context context;
    private RedisLink link;

    private final Publisher publisher;

    // Touched on the context only
    /** Channels SUBSCRIBE was sent for on the current subscriber connection. */
    private final Set<String> subscribing = new HashSet<>();
    /** Channels Redis confirmed on the current subscriber connection. */
    private final Set<String> confirmed = new HashSet<>();
    private final Map<String, List<CompletableFuture<Void>>> waiters = new HashMap<>();

    private final Counter relayed;
    private final Counter outages;
    private final Counter malformed;

    Cluster(SlackirConfig config, Vertx vertx, MeterRegistry registry, ObjectMapper json) {
        this.config = config.cluster();
        this.vertx = vertx;
        this.enabled = this.config.redisUrl().filter(url -> !url.isBlank()).isPresent();
        this.node = this.config.nodeId().orElseGet(() -> UUID.randomUUID().toString());
        this.envelope = new Envelope(node, json);
        this.publisher = new Publisher(this.config.holdMax(), registry);
        this.relayed = registry.counter("slackir.cluster.relayed");
        this.outages = registry.counter("slackir.cluster.outages");
        this.malformed = registry.counter("slackir.cluster.malformed");
        if (enabled) {
            Gauge.builder("slackir.cluster.unpublished", publisher, Publisher::waiting)
                    .description("Room events that happened here waiting to be published to the other nodes")
                    .register(registry);
            Gauge.builder("slackir.cluster.connected", this, c -> c.connected() ? 1 : 0)
                    .description("1 while both Redis connections are up, 0 while events are not fanned out")
                    .register(registry);
        }
    }

    /** Whether this node fans out through Redis. */
    public boolean enabled() {
        return enabled;
    }

    public String node() {
        return node;
    }

    /** At startup: connects to Redis (or keeps trying), handing what comes from the other nodes to the listener. */
    void start(@Observes StartupEvent started, Listener listener) {
        this.listener = listener;
        if (!enabled) {
            return;
        }
        context = vertx.getOrCreateContext();
        link = new RedisLink(config, vertx, context, outages,
                () -> publisher.waiting() + " event(s) still to publish, " + publisher.dropped()
                        + " not held since start",
                publisher::up, this::subscriberUp, this::subscriberDown);
        publisher.attach(context, link.publisher);
        link.start();
        LOG.infof("Node %s fans out through Redis at %s", node, redactedUrl());
    }

    @PreDestroy
    void stop() {
        if (link != null) {
            link.stop();
        }
    }

    /**
     * Publishes an event that happened here to its room's channel, the frame as serialized for this node's own
     * members. Never blocks; called under the room's lock, so a room's events are published in the order they happened.
     */
    public void publish(RoomEvent event, byte[] frame) {
        if (enabled) {
            publisher.publish(config.channelPrefix() + event.room(), envelope.wrap(event, frame));
        }
    }

    // --- Subscribing -------------------------------------------------------------------------------------------------

    /**
     * Brings the subscription of a room's channel in line with whether this node has the room open (asked of the
     * listener on the context, so a room closed and opened again in quick succession ends subscribed).
     */
    public void sync(String room) {
        if (!enabled) {
            return;
        }
        context.runOnContext(v -> reconcile(room));
    }

    /** Completes once this node receives the room's channel; at once when alone. */
    public CompletableFuture<Void> whenSubscribed(String room) {
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
        if (link.subscriber.current == null) {
            return; // the next connection subscribes to every room open then
        }
        if (wanted && subscribing.add(channel)) {
            link.subscriber.current.send(Request.cmd(Command.SUBSCRIBE).arg(channel));
        } else if (!wanted && subscribing.remove(channel)) {
            confirmed.remove(channel);
            link.subscriber.current.send(Request.cmd(Command.UNSUBSCRIBE).arg(channel));
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
        Envelope.Received received;
        try {
            received = envelope.open(room, payload);
        } catch (IllegalArgumentException e) {
            malformed.increment();
            LOG.debugf("Dropped a malformed message on the channel of room %s: %s", room, e.getMessage());
            return;
        }
        if (received != null) {
            relayed.increment();
            listener.relay(received.event(), received.frame());
        }
    }

    // --- For the readiness check -------------------------------------------------------------------------------------

    /** Null while the link is up. */
    Instant downSince() {
        return enabled ? link.downSince() : null;
    }

    public boolean connected() {
        return link != null && link.up();
    }

    int unpublished() {
        return publisher.waiting();
    }

    long dropped() {
        return publisher.dropped();
    }

    /** The URL without its password, for logs and health. */
    String redactedUrl() {
        return RedisLink.redactedUrl(config);
    }
}
