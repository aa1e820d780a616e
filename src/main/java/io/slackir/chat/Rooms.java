package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocketConnection;
import io.slackir.conversations.Message;

/**
 * The open rooms, each holding its own connections: a broadcast reaches a room's members without looking at anyone
 * else's. A room exists while it has members or shouts still to store.
 */
@ApplicationScoped
public class Rooms {

    private static final Logger LOG = Logger.getLogger(Rooms.class);
    private static final TypedKey<Member> MEMBER = new TypedKey<>("slackir.member");

    /** How many shouts the history frame on join holds. */
    public static final int HISTORY_SIZE = 50;

    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Counter deliveries;

    Rooms(ObjectMapper json, MeterRegistry registry) {
        this.json = json;
        this.registry = registry;
        this.deliveries = Counter.builder("slackir.broadcast.deliveries")
                .description("Shout frames sent (or held for a joining connection), one per connection")
                .register(registry);
        Gauge.builder("slackir.connections", rooms, r -> r.values().stream().mapToInt(Room::size).sum())
                .description("Open chat connections, all rooms")
                .register(registry);
    }

    /**
     * Accepts a shout in a room: {@code make} gives it its id and time under the room's lock, then every member gets
     * it, serialized once.
     */
    Shout broadcast(String room, Function<String, Shout> make) {
        while (true) {
            Shout shout = open(room).broadcast(make, s -> Frames.write(json, Frames.ShoutFrame.of(s)));
            if (shout != null) {
                return shout;
            }
            // The room closed between the lookup and the lock: a fresh one is in the registry, or will be
        }
    }

    /** The shout is stored, or given up on: history no longer needs to keep it in memory. */
    void settled(Shout shout) {
        Room room = rooms.get(shout.room());
        if (room != null && room.settled(shout.id())) {
            close(room);
        }
    }

    /**
     * Makes the connection a member of its room and sends it the history: the latest stored shouts merged with those
     * accepted but not stored yet. Shouts broadcast meanwhile follow the history, none missing, none twice. Blocks on
     * the database: call it from a worker thread.
     */
    void join(WebSocketConnection connection) {
        String name = connection.pathParam("room");
        Member member = new Member(connection);
        connection.userData().put(MEMBER, member);
        Room room;
        List<Shout> unstored;
        do {
            room = open(name);
            unstored = room.join(member);
        } while (unstored == null);

        try {
            sendHistory(room, member, unstored);
        } catch (RuntimeException e) {
            // A member that never goes live would hold its room's shouts forever
            leave(connection);
            throw e;
        }
    }

    private void sendHistory(Room room, Member member, List<Shout> unstored) {
        TreeMap<UUID, Shout> merged = new TreeMap<>();
        boolean complete;
        try {
            List<Shout> stored = Message.page(room.name, null, HISTORY_SIZE + 1);
            complete = stored.size() <= HISTORY_SIZE;
            stored.forEach(s -> merged.put(s.id(), s));
        } catch (RuntimeException e) {
            // The chat goes on without the database: the history holds what memory has, and says it is partial
            LOG.warnf("Could not read the history of room %s: %s", room.name, e.toString());
            complete = false;
        }
        unstored.forEach(s -> merged.put(s.id(), s));
        // Shouts accepted since the join are held for the member, and come after the history. Some may already be
        // stored and read above: the history ends before the first held one, so each comes once, in id order. The
        // cut changes at most once (from none to the first held shout), so this makes the history at most twice.
        UUID cut;
        String frame;
        do {
            cut = room.firstHeld(member);
            frame = history(cut == null ? merged : merged.headMap(cut, false), complete);
        } while (!room.goLive(member, frame, cut));
    }

    private String history(SortedMap<UUID, Shout> shouts, boolean storedComplete) {
        List<Shout> history = new ArrayList<>(shouts.values());
        boolean complete = storedComplete;
        if (history.size() > HISTORY_SIZE) {
            // Those cut off are older than the history shows: complete=false tells the client to page them
            history = history.subList(history.size() - HISTORY_SIZE, history.size());
            complete = false;
        }
        return Frames.write(json, new Frames.History(history, complete));
    }

    void leave(WebSocketConnection connection) {
        Member member = connection.userData().get(MEMBER);
        if (member == null) {
            return;
        }
        Room room = rooms.get(connection.pathParam("room"));
        if (room != null && room.leave(member)) {
            close(room);
        }
    }

    private Room open(String name) {
        return rooms.computeIfAbsent(name, n -> {
            Room room = new Room(n, deliveries);
            room.connections = Gauge.builder("slackir.room.connections", room, Room::size)
                    .description("Open connections of a room")
                    .tag("room", n)
                    .strongReference(true)
                    .register(registry);
            return room;
        });
    }

    /** A closed room leaves the registry; its gauge first, so that a new room of that name registers its own. */
    private void close(Room room) {
        registry.remove(room.connections);
        rooms.remove(room.name, room);
    }
}
