package io.slackir.chat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.UserData.TypedKey;
import io.quarkus.websockets.next.WebSocketConnection;
import io.slackir.SlackirConfig;
import io.slackir.conversations.Message;
import io.vertx.core.Vertx;

/**
 * The open rooms, each holding its own connections: a broadcast reaches a room's members without looking at anyone
 * else's. A room exists while it has members or shouts still to store.
 */
@ApplicationScoped
public class Rooms {

    private static final Logger LOG = Logger.getLogger(Rooms.class);
    private static final TypedKey<Member> MEMBER = new TypedKey<>("slackir.member");

    /** Closed after {@code slackir.limits.idle-timeout} without a frame or a pong: the peer is gone. */
    private static final CloseReason SILENT = new CloseReason(1001, "gone: no answer to pings");

    /** How many shouts the history frame on join holds. */
    public static final int HISTORY_SIZE = 50;
    /** The most shouts a history after an {@code after} id holds; the client pages older ones over HTTP. */
    public static final int AFTER_SIZE = Room.RECENT_MAX;
    /** How far apart the clocks of two nodes may be: ids are their node's time. */
    private static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /** How long a join waits for another's read of the room's latest shouts before reading them itself. */
    private static final Duration SEED_WAIT = Duration.ofSeconds(5);


    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final SlackirConfig.Limits limits;
    private final Counter deliveries;
    private final Cluster cluster;
    private final Vertx vertx;
    private final Duration subscribeTimeout;
    private long reaper = -1;

    Rooms(ObjectMapper json, MeterRegistry registry, SlackirConfig config, Cluster cluster, Vertx vertx) {
        this.vertx = vertx;
        this.json = json;
        this.registry = registry;
        this.limits = config.limits();
        this.cluster = cluster;
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
     * it, serialized once.
     */
    Shout broadcast(String room, Function<String, Shout> make) {
        while (true) {
            Shout shout = open(room).broadcast(make, s -> Frames.bytes(json, Frames.ShoutFrame.of(s)));
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
     * Makes the connection a member of its room and sends it the history: the latest shouts, or with {@code after}
     * every shout since that one (up to {@link #AFTER_SIZE}), stored or accepted and not stored yet. Shouts broadcast
     * meanwhile follow the history, none missing, none twice. May block on the database: call it from a worker thread.
     *
     * @param after the {@code after} query parameter of the handshake, or null
     */
    void join(WebSocketConnection connection, String after) {
        String name = connection.pathParam("room");
        Member member = new Member(connection,
                new Throttle(limits.rate(), limits.burst(), limits.floodStrikes()), limits.sendBuffer().asLongValue());
        connection.userData().put(MEMBER, member);
        Room room = open(name);
        awaitChannel(name);
        Room.Snapshot memory;
        while ((memory = room.join(member)) == null) {
            room = open(name);
        }

        try {
            sendHistory(room, member, memory, since(member, after));
        } catch (RuntimeException e) {
            // A member that never goes live would hold its room's shouts forever
            leave(connection);
            throw e;
        }
    }

    /**
     * With other nodes: waits (a little) until this node receives the room's channel, so that every shout another node
     * accepts from now on reaches the joining member, live or in its history.
     */
    private void awaitChannel(String room) {
        if (cluster.enabled()) {
            // When Redis is unreachable the member joins all the same and sees this node's shouts; the room is not
            // trusted, so its history comes from the database
            awaitAWhile(cluster.whenSubscribed(room), subscribeTimeout, "room " + room + ": its channel");
        }
    }

    /** Waits for {@code done} up to {@code patience}; after that the caller goes on without it. */
    private static void awaitAWhile(CompletableFuture<Void> done, Duration patience, String what) {
        try {
            done.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debugf("Going on without %s: %s", what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The {@code after} id, or null (the latest history) with an error frame when it is not a UUID. */
    private UUID since(Member member, String after) {
        if (after == null || after.isEmpty()) {
            return null;
        }
        UUID id = Shout.id(after);
        if (id == null) {
            refuseAfter(member, "must be a UUID");
        }
        return id;
    }

    private void refuseAfter(Member member, String problem) {
        // Sent before the history, while live shouts are still held: the client learns why it gets the latest instead
        member.send(Frames.write(json, Frames.Error.of(new ShoutRefused(ErrorCode.INVALID,
                "the history cannot start after that id; here are the latest shouts",
                List.of(new Frames.FieldError("after", problem))), null)));
    }

    private void sendHistory(Room room, Member member, Room.Snapshot memory, UUID after) {
        TreeMap<UUID, Shout> merged = new TreeMap<>();
        boolean complete;
        int size = after == null ? HISTORY_SIZE : AFTER_SIZE;
        boolean seeder = false;
        if (after == null && !memory.seeded() && memory.trusted()) {
            CompletableFuture<Void> reading = room.seedOrWait();
            if (reading == null) {
                seeder = true;
            } else {
                // Another join is reading the room's latest shouts for memory: wait for it rather than read them too
                awaitAWhile(reading, SEED_WAIT, "room " + room.name + ": the read of its latest shouts");
                memory = room.snapshot();
            }
        }
        if (after != null && memory.trusted() && holds(memory.recent(), after)) {
            // Every shout since `after` is in memory: the usual reconnect after a short drop needs no database
            memory.recent().forEach(s -> merged.put(s.id(), s));
            complete = true;
        } else if (after == null && memory.seeded()) {
            // The room's latest shouts are in memory: a crowd joining a busy room costs the database nothing
            memory.recent().forEach(s -> merged.put(s.id(), s));
            complete = memory.whole();
        } else {
            try {
                if (after != null && !holds(memory.unstored(), after) && !holds(memory.recent(), after)
                        && !Message.isIn(room.name, after)) {
                    refuseAfter(member, "is not a shout of this room");
                    after = null;
                    size = HISTORY_SIZE;
                }
                List<Shout> stored = Message.page(room.name, lookBack(after), null, size + 1);
                complete = stored.size() <= size;
                stored.forEach(s -> merged.put(s.id(), s));
                if (after == null) {
                    room.seed(stored, complete);
                }
            } catch (RuntimeException e) {
                if (seeder) {
                    room.seedingOver(); // the joins waiting for this read read for themselves
                }
                // The chat goes on without the database: the history holds what memory has, and says it is partial
                LOG.warnf("Could not read the history of room %s: %s", room.name, e.toString());
                complete = false;
            }
            memory.recent().forEach(s -> merged.put(s.id(), s));
        }
        memory.unstored().forEach(s -> merged.put(s.id(), s));
        SortedMap<UUID, Shout> since = after == null ? merged : merged.tailMap(lookBack(after), false);
        if (after != null) {
            since.remove(after); // the client has it
        }
        // Shouts accepted since the join are held for the member, and come after the history. Some may already be
        // stored and read above: the history ends before the first held one, so each comes once, in id order. The
        // cut changes at most once (from none to the first held shout), so this makes the history at most twice.
        UUID cut;
        String frame;
        do {
            cut = room.firstHeld(member);
            frame = history(cut == null ? since : since.headMap(cut), complete, size);
        } while (!room.goLive(member, frame, cut));
    }

    /**
     * Where a reconnect's history starts. Alone: right after {@code after}. With other nodes, a little before: a shout
     * of another node can arrive after one of this node with a later id (Redis's delay, the nodes' clocks), so the
     * client may have left before it came; the history holds the shouts of the last {@link #CLOCK_SKEW} before
     * {@code after} too, and the client drops those it has (DESIGN.md, several nodes).
     */
    private UUID lookBack(UUID after) {
        if (after == null || !cluster.enabled()) {
            return after;
        }
        return Shout.idAt(Instant.ofEpochMilli(after.getMostSignificantBits() >>> 16).minus(CLOCK_SKEW));
    }

    private static boolean holds(List<Shout> shouts, UUID id) {
        for (Shout s : shouts) {
            if (s.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private String history(SortedMap<UUID, Shout> shouts, boolean storedComplete, int size) {
        List<Shout> history = new ArrayList<>(shouts.values());
        boolean complete = storedComplete;
        if (history.size() > size) {
            // Those cut off are older than the history shows: complete=false tells the client to page them
            history = history.subList(history.size() - size, history.size());
            complete = false;
        }
        return Frames.write(json, new Frames.History(history, complete));
    }

    /** The member this connection is, or null before it joined. */
    Member member(WebSocketConnection connection) {
        return connection.userData().get(MEMBER);
    }

    /** Joins the other nodes, if any: what they publish on the channels of this node's rooms reaches their members. */
    void joinCluster(@Observes StartupEvent started) {
        cluster.start(new Cluster.Listener() {
            @Override
            public void relay(String name, Shout shout, byte[] frame) {
                Room room = rooms.get(name);
                if (room != null) {
                    room.relay(shout, frame);
                }
            }

            @Override
            public boolean wants(String name) {
                return rooms.containsKey(name);
            }

            @Override
            public Collection<String> open() {
                return List.copyOf(rooms.keySet());
            }

            @Override
            public void subscribed(String name) {
                Room room = rooms.get(name);
                if (room == null) {
                    return;
                }
                Instant missing = room.missingSince();
                if (missing == null) {
                    room.trust();
                } else {
                    vertx.executeBlocking(() -> fillGap(room, missing), false);
                }
            }

            @Override
            public void lost() {
                rooms.values().forEach(Room::distrust);
            }
        });
    }

    /**
     * Delivers what other nodes said in a room while this node did not receive its channel: the room's shouts stored
     * since a little before then (clocks of nodes differ), those its members have not had. They come late, each once;
     * their ids say where they belong. A shout still waiting to be stored on its node is not among them: that node
     * publishes it again once Redis is back, or a client pages it (DESIGN.md, several nodes).
     */
    private Void fillGap(Room room, Instant since) {
        try {
            UUID from = Shout.idAt(since.minus(CLOCK_SKEW));
            List<Shout> stored = QuarkusTransaction.requiringNew()
                    .call(() -> Message.page(room.name, from, null, AFTER_SIZE));
            int filled = 0;
            for (Shout shout : stored) {
                if (room.relay(shout, Frames.bytes(json, Frames.ShoutFrame.of(shout)))) {
                    filled++;
                }
            }
            room.trust();
            if (filled > 0) {
                LOG.infof("Room %s: %d shout(s) of other nodes, said while Redis was out of reach, read back from the"
                        + " database", room.name, filled);
            }
        } catch (RuntimeException e) {
            // The room stays untrusted: joins and reconnects read the database
            LOG.warnf("Could not read back what room %s missed from other nodes: %s", room.name, e.toString());
        }
        return null;
    }

    /** Every few seconds: closes the connections whose peer has been silent too long (not even a pong). */
    void reapSilent(@Observes StartupEvent started, Vertx vertx) {
        long every = Math.max(1000, limits.idleTimeout().toMillis() / 5);
        reaper = vertx.setPeriodic(every, id -> {
            long now = System.nanoTime();
            long limit = limits.idleTimeout().toNanos();
            for (Room room : rooms.values()) {
                for (Member member : room.members()) {
                    if (member.silentNanos(now) > limit) {
                        LOG.debugf("Closing connection %s of room %s: silent for %s", member.connection.id(),
                                room.name, limits.idleTimeout());
                        member.connection.close(SILENT).subscribe().with(closed -> {
                        }, failure -> LOG.debugf("Could not close %s: %s", member.connection.id(), failure));
                    }
                }
            }
        });
    }

    /** Vert.x outlives the application in dev mode's live reload: the timer must not. */
    void stopReaping(@Observes ShutdownEvent stopping, Vertx vertx) {
        vertx.cancelTimer(reaper);
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
        Room open = rooms.get(name);
        if (open != null) {
            return open;
        }
        Room room = rooms.computeIfAbsent(name, n -> {
            Room created = new Room(n, deliveries, cluster);
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
        registry.remove(room.connections);
        rooms.remove(room.name, room);
        cluster.sync(room.name);
    }
}
