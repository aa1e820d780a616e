package io.slackir.chat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.slackir.SlackirConfig;
import io.slackir.chat.nodes.Cluster;
import io.slackir.chat.presence.NodePresence;
import io.slackir.chat.presence.PresenceChange;
import io.slackir.chat.presence.PresenceDiffFrame;
import io.slackir.chat.presence.PresenceFrame;
import io.slackir.chat.protocol.Frames;
import io.vertx.core.Vertx;

/**
 * Who is in each room, kept current: a change (a join, a leave, what another node says) is told to the room's members
 * as one diff per short window, not one frame per join; this node tells the others its own part when it changes and
 * every heartbeat, and forgets a node's part once it is older than the time to live, so a node that died leaves no
 * ghosts. Nothing of presence is stored.
 */
@ApplicationScoped
class Presences {

    private final SlackirConfig.Presence config;
    private final Cluster cluster;
    private final Vertx vertx;
    private final ObjectMapper json;
    /** Rooms whose presence this node keeps: those it has had someone in since they opened. */
    private final Set<Room> rooms = ConcurrentHashMap.newKeySet();
    private final Counter frames;
    private final DistributionSummary members;
    private final DistributionSummary connections;
    private long heartbeat = -1;
    private long sweep = -1;

    Presences(SlackirConfig config, Cluster cluster, Vertx vertx, ObjectMapper json, MeterRegistry registry) {
        this.config = config.presence();
        this.cluster = cluster;
        this.vertx = vertx;
        this.json = json;
        this.frames = Counter.builder("slackir.presence.frames")
                .description("presence and presence_diff frames sent, one per receiving connection")
                .register(registry);
        this.members = DistributionSummary.builder("slackir.presence.room.members")
                .description("Members of a room, every node's, sampled per open room each heartbeat")
                .register(registry);
        this.connections = DistributionSummary.builder("slackir.presence.room.connections")
                .description("Connections of a room, every node's, sampled per open room each heartbeat")
                .register(registry);
    }

    void start(@Observes StartupEvent started) {
        heartbeat = vertx.setPeriodic(config.heartbeat().toMillis(), id -> beat());
        // Far more often than the heartbeat: a node's part is forgotten within a second of its time to live
        sweep = vertx.setPeriodic(Math.max(1, Math.min(1000, config.ttl().toMillis() / 4)), id -> expire());
    }

    /**
     * Stopping: the other nodes forget this node's members now, not after the time to live. Vert.x outlives the
     * application in dev mode's live reload: the timer must not.
     */
    void stop(@Observes ShutdownEvent stopping) {
        vertx.cancelTimer(heartbeat);
        vertx.cancelTimer(sweep);
        List.copyOf(rooms).forEach(this::closed);
    }

    /** Someone joined or left the room here, or another node said what it has: the members hear of it shortly. */
    void changed(Room room) {
        rooms.add(room);
        boolean first;
        synchronized (room) {
            first = room.presence.schedule();
        }
        if (first) {
            vertx.setTimer(config.window().toMillis(), id -> tell(room));
        }
    }

    /** A joining connection got the room's presence frame. */
    void told() {
        frames.increment();
    }

    private void tell(Room room) {
        synchronized (room) {
            PresenceDiffFrame diff = room.presence.diff();
            if (diff != null && room.publish(new PresenceChange(room.name, diff), Frames.bytes(json, diff))) {
                frames.increment(room.size());
            }
            if (cluster.enabled() && room.presence.localChanged()) {
                publish(room, room.presence.local(room.name, cluster.node(), false));
            }
        }
    }

    private void publish(Room room, NodePresence mine) {
        room.publish(mine, Frames.bytes(json, mine.frame()));
    }

    /** What another node has in one of this node's rooms. */
    void remote(Room room, NodePresence theirs) {
        synchronized (room) {
            room.presence.remote(theirs.node(), theirs.members(), theirs.unnamed(),
                    System.nanoTime() + config.ttl().toNanos());
            if (theirs.sync()) {
                // A node that just came to the room (or back to Redis) wants every other node's part now
                publish(room, room.presence.local(room.name, cluster.node(), false));
            }
        }
        changed(room);
    }

    /** This node now receives the room's channel: it says what it has and asks the others for theirs. */
    void subscribed(Room room) {
        rooms.add(room);
        synchronized (room) {
            publish(room, room.presence.local(room.name, cluster.node(), true));
        }
    }

    /** The room closed here: the other nodes forget this node's part of it at once, not after the time to live. */
    void closed(Room room) {
        rooms.remove(room);
        if (cluster.enabled()) {
            NodePresence none = new NodePresence(room.name, cluster.node(), List.of(), 0, false);
            cluster.publish(none, Frames.bytes(json, none.frame()));
        }
    }

    /** Every heartbeat: says this node's part again, and samples the metrics. */
    private void beat() {
        for (Room room : rooms) {
            synchronized (room) {
                if (room.closed()) {
                    rooms.remove(room);
                    continue;
                }
                if (cluster.enabled() && room.presence.hasLocal()) {
                    publish(room, room.presence.local(room.name, cluster.node(), false));
                }
                PresenceFrame now = room.presence.now();
                members.record(now.members().size());
                connections.record(now.connections());
            }
        }
    }

    /** Forgets the other nodes' parts not said again within the time to live: a node that died leaves no ghosts. */
    private void expire() {
        long now = System.nanoTime();
        for (Room room : rooms) {
            boolean expired;
            synchronized (room) {
                expired = room.presence.expire(now);
            }
            if (expired) {
                changed(room);
            }
        }
    }
}
