package io.slackir.chat;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocketConnection;
import io.slackir.SlackirConfig;
import io.slackir.chat.access.Access;
import io.slackir.chat.nodes.Cluster;
import io.slackir.chat.presence.PresenceFrame;
import io.slackir.chat.protocol.Ephemeral;
import io.slackir.chat.protocol.Frames;
import io.slackir.chat.protocol.RoomEvent;
import io.slackir.chat.protocol.Shout;

/**
 * The open rooms, each holding its own connections: a room event reaches a room's members without looking at anyone
 * else's. A room exists while it has members or shouts still to store.
 */
@ApplicationScoped
public class Rooms {

    private static final TypedKey<Member> MEMBER = new TypedKey<>("slackir.member");

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Counter deliveries;
    private final Cluster cluster;
    private final History history;
    private final Presences presences;
    private final Duration subscribeTimeout;
    private final Access access;

    Rooms(ObjectMapper json, MeterRegistry registry, SlackirConfig config, Cluster cluster, History history,
            Presences presences, Access access) {
        this.json = json;
        this.access = access;
        this.registry = registry;
        this.cluster = cluster;
        this.history = history;
        this.presences = presences;
        this.subscribeTimeout = config.cluster().subscribeTimeout();
        this.deliveries = Counter.builder("slackir.broadcast.deliveries")
                .description("Shout frames sent (or held for a joining connection), one per connection")
                .register(registry);
        Gauge.builder("slackir.connections", rooms, r -> r.values().stream().mapToInt(Room::size).sum())
                .description("Open chat connections, all rooms")
                .strongReference(true)
                .register(registry);
    }

    /**
     * Accepts a shout in a room: {@code make} gives it its id and time under the room's lock, then every member gets
     * it, serialized once, and so do the other nodes.
     */
    Shout shout(String room, Function<String, Shout> make) {
        while (true) {
            Shout shout = open(room).shout(make, this::encode);
            if (shout != null) {
                return shout;
            }
            // The room closed between the lookup and the lock: a fresh one is in the registry, or will be
        }
    }

    /**
     * An ephemeral event that happened here: every member of its room gets it, here and on the other nodes, and nothing
     * keeps it.
     *
     * @return false when nobody is in the room on this node
     */
    boolean publish(Ephemeral event) {
        Room room = rooms.get(event.room());
        return room != null && room.publish(event, encode(event));
    }

    /** The event's frame as its receivers get it: serialized once for all of them, here and on the other nodes. */
    byte[] encode(RoomEvent event) {
        return Frames.bytes(json, event.frame());
    }

    /** The shout is stored, or given up on: history no longer needs to keep it in memory. */
    void settled(Shout shout) {
        Room room = rooms.get(shout.room());
        if (room != null && room.settled(shout.id())) {
            close(room);
        }
    }

    /**
     * Makes the member one of its room and sends it the history: the latest shouts, or with {@code after} every shout
     * since that one, stored or accepted and not stored yet ({@link History}). Events delivered meanwhile follow the
     * history, none missing, none twice. May block on the database: call it from a worker thread.
     *
     * @param after the {@code after} query parameter of the handshake, or null
     */
    void join(Member member, String after) {
        WebSocketConnection connection = member.connection;
        String name = connection.pathParam("room");
        connection.userData().put(MEMBER, member);
        Room room = open(name);
        if (cluster.enabled()) {
            // Until this node receives the room's channel, what another node says could fall between history and live.
            // When Redis is unreachable the member joins all the same and sees this node's shouts; the room is not
            // trusted, so its history comes from the database
            History.awaitAWhile(cluster.whenSubscribed(name), subscribeTimeout, "room " + name + ": its channel");
        }
        RoomMemory.Snapshot memory;
        while ((memory = room.join(member)) == null) {
            room = open(name);
        }
        presences.changed(room);
        try {
            history.send(room, member, memory, history.since(member, after));
            presences.told();
        } catch (RuntimeException e) {
            // A member that never goes live would hold its room's events forever
            leave(connection);
            throw e;
        }
    }

    /** The member this connection is, or null before it joined. */
    Member member(WebSocketConnection connection) {
        return connection.userData().get(MEMBER);
    }

    void leave(WebSocketConnection connection) {
        Member member = connection.userData().get(MEMBER);
        if (member == null) {
            return;
        }
        Room room = rooms.get(connection.pathParam("room"));
        if (room == null) {
            return;
        }
        if (room.leave(member)) {
            close(room);
        } else {
            presences.changed(room);
        }
    }

    /** Who is in the room, as far as this node knows: its own connections, and what the other nodes said. */
    public PresenceFrame presence(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return new PresenceFrame(List.of(), 0);
        }
        synchronized (room) {
            return room.presence.now();
        }
    }

    /** The room, if open on this node. */
    Room get(String name) {
        return rooms.get(name);
    }

    /** The names of the rooms open on this node. */
    List<String> names() {
        return List.copyOf(rooms.keySet());
    }

    Collection<Room> all() {
        return rooms.values();
    }

    private Room open(String name) {
        Room open = rooms.get(name);
        if (open != null) {
            return open;
        }
        Room room = rooms.computeIfAbsent(name, n -> {
            Room created = new Room(n, deliveries, cluster, frame -> Frames.write(json, frame));
            if (access.isPrivate(n)) {
                return created; // no gauge: /q/metrics would name the private room to anyone who can read it
            }
            created.connections = Gauge.builder("slackir.room.connections", created, Room::size)
                    .description("Open connections of a room")
                    .tag("room", n)
                    .strongReference(true)
                    .register(registry);
            return created;
        });
        cluster.sync(name);
        return room;
    }

    /** A closed room leaves the registry; its gauge first, so that a new room of that name registers its own. */
    private void close(Room room) {
        if (room.connections != null) {
            registry.remove(room.connections);
        }
        rooms.remove(room.name, room);
        presences.closed(room);
        cluster.sync(room.name);
    }
}
