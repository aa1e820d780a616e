package io.slackir.chat;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.micrometer.core.instrument.Gauge;

/**
 * One chat room: its open connections, its latest shouts, and those accepted here that are not stored yet. Every
 * change happens under the room's lock, and so does every delivery: each connection sees the room's shouts in id
 * order, and a joining connection gets its history before any live shout. A shout is serialized once, and handed to
 * each event loop once with the room's members there, not once per member.
 */
final class Room {

    final String name;
    /** Members waiting for their history: they hold the shouts broadcast meanwhile. */
    private final List<Member> joining = new ArrayList<>();
    /**
     * Live members by their event loop's outbox (null: written through websockets-next), as arrays replaced on every
     * change: a broadcast posts them as they are, and a later join or leave does not touch what was posted.
     */
    private final Map<Outbox, Member[]> live = new HashMap<>();
    private int liveCount;
    /** The most shouts {@link #recent} keeps. */
    static final int RECENT_MAX = 200;

    /**
     * What a joining member is told of the room's shouts in memory, taken as it joins.
     *
     * @param seeded {@code recent} holds the room's latest shouts (up to {@link #RECENT_MAX}), stored or not: a join
     *        needs no database
     * @param whole {@code recent} holds every shout the room has
     * @param trusted {@code recent} holds every shout of the room since its oldest one, whichever node accepted it: an
     *        {@code after} among them is answered from memory
     */
    record Snapshot(List<Shout> recent, List<Shout> unstored, boolean seeded, boolean whole, boolean trusted) {
    }

    /** Accepted, not stored yet, in id order: history merges them with what PostgreSQL returns. */
    private final LinkedHashMap<UUID, Shout> unstored = new LinkedHashMap<>();
    /**
     * The room's latest shouts, oldest first: every shout accepted here since the oldest one kept. A reconnect whose
     * {@code after} is among them is answered from memory, without the database.
     */
    private final ArrayDeque<Shout> recent = new ArrayDeque<>();
    /** The ids in {@link #recent}: a shout another node sends twice is delivered once. */
    private final HashSet<UUID> recentIds = new HashSet<>();
    /** See {@link Snapshot}: set once the latest stored shouts were merged into {@link #recent}. */
    private boolean seeded;
    /** The one read of the database that will seed {@link #recent}, while it runs: other joins wait for it. */
    private CompletableFuture<Void> seeding;
    private boolean whole;
    /**
     * Alone, always. With other nodes: set while this node receives the room's channel and has not lost it since the
     * room opened, so {@link #recent} misses none of their shouts.
     */
    private boolean trusted;
    /**
     * Since when shouts of other nodes may be missing here: the link was lost, or was down when the room opened. Null
     * while none is missing. Once subscribed again, those stored since then are read back ({@link Rooms}).
     */
    private Instant missingSince;
    /** Set once the room is idle and left {@link Rooms}; a closed room takes nothing new. */
    private boolean closed;

    private final Counter deliveries;
    private final Cluster cluster;
    /** This room's {@code slackir.room.connections} gauge, removed when the room closes. */
    Gauge connections;

    Room(String name, Counter deliveries, Cluster cluster) {
        this.name = name;
        this.deliveries = deliveries;
        this.cluster = cluster;
        this.trusted = !cluster.enabled();
        this.missingSince = cluster.enabled() && !cluster.connected() ? Instant.now() : null;
    }

    /** The open connections. */
    synchronized int size() {
        return joining.size() + liveCount;
    }

    synchronized List<Member> members() {
        List<Member> all = new ArrayList<>(joining);
        live.values().forEach(members -> all.addAll(Arrays.asList(members)));
        return all;
    }

    /**
     * Accepts a shout made by {@code make} (under this lock, so ids are given in delivery order) and delivers it to
     * every member, the frame serialized once by {@code frame}; with other nodes, publishes it to them too (in id
     * order, being under this lock).
     *
     * @return the shout, or null when the room is closed
     */
    synchronized Shout broadcast(Function<String, Shout> make, Function<Shout, byte[]> frame) {
        if (closed) {
            return null;
        }
        Shout shout = make.apply(name);
        unstored.put(shout.id(), shout);
        remember(shout);
        byte[] bytes = frame.apply(shout);
        cluster.publish(name, bytes);
        deliver(shout, Outbox.frame(bytes));
        return shout;
    }

    /**
     * Delivers a shout another node accepted to every member here, unless it came already (a node publishes again what
     * it is not sure Redis took).
     *
     * @return false when the room is closed or had it
     */
    synchronized boolean relay(Shout shout, byte[] frame) {
        if (closed || recentIds.contains(shout.id())) {
            return false;
        }
        remember(shout);
        deliver(shout, Outbox.frame(frame));
        return true;
    }

    private void remember(Shout shout) {
        recent.addLast(shout);
        recentIds.add(shout.id());
        if (recent.size() > RECENT_MAX) {
            recentIds.remove(recent.removeFirst().id());
            whole = false;
        }
    }

    private void deliver(Shout shout, ByteBuf bytes) {
        for (Member member : joining) {
            member.deliver(shout.id(), bytes);
        }
        for (Map.Entry<Outbox, Member[]> loop : live.entrySet()) {
            if (loop.getKey() != null) {
                loop.getKey().post(bytes, loop.getValue());
            } else {
                for (Member member : loop.getValue()) {
                    member.write(bytes);
                }
            }
        }
        deliveries.increment(size());
    }

    /**
     * This node now receives the room's channel, and what other nodes said while it did not was read back: from here
     * on, no other node's shout misses {@link #recent}.
     */
    synchronized void trust() {
        trusted = true;
        missingSince = null;
    }

    /** Since when shouts of other nodes may be missing, or null. */
    synchronized Instant missingSince() {
        return missingSince;
    }

    /**
     * The room's channel was lost: shouts of other nodes may be missing from {@link #recent} until it is read again
     * from the database (the next join seeds it anew).
     */
    synchronized void distrust() {
        seedingOver();
        if (missingSince == null) {
            missingSince = Instant.now();
        }
        trusted = false;
        seeded = false;
        whole = false;
    }

    /**
     * Adds a member that holds its live shouts until {@link #goLive}.
     *
     * @return the shouts in memory as the member joins, or null when the room is closed
     */
    synchronized Snapshot join(Member member) {
        if (closed) {
            return null;
        }
        joining.add(member);
        return snapshot();
    }

    /** The shouts in memory now, for a member that joined already. */
    synchronized Snapshot snapshot() {
        return new Snapshot(new ArrayList<>(recent), new ArrayList<>(unstored.values()), seeded && trusted,
                whole && trusted, trusted);
    }

    /**
     * For a join that finds the room not seeded: null when it is the one to read the database and call {@link #seed}
     * (or {@link #seedingOver}), else the read already running, to wait for. A crowd joining a room not in memory makes
     * one query, not one each.
     */
    synchronized CompletableFuture<Void> seedOrWait() {
        if (seeding == null) {
            seeding = new CompletableFuture<>();
            return null;
        }
        return seeding;
    }

    /** The read for {@link #seedOrWait} is over: the joins waiting for it look at memory again. */
    synchronized void seedingOver() {
        if (seeding != null) {
            seeding.complete(null);
            seeding = null;
        }
    }

    /**
     * Merges the room's latest stored shouts, read after this room was opened, into {@link #recent}. Every shout
     * accepted since the room opened is in {@code recent} already, and every one before was stored (a room closes
     * only once it owes nothing): the union is the room's latest, and the next joins are answered from memory.
     *
     * @param complete {@code stored} holds every stored shout of the room
     */
    synchronized void seed(List<Shout> stored, boolean complete) {
        seedingOver(); // the joins waiting for a read see this one, or read for themselves
        if (seeded || !trusted) {
            return;
        }
        TreeMap<UUID, Shout> merged = new TreeMap<>();
        stored.forEach(s -> merged.put(s.id(), s));
        recent.forEach(s -> merged.put(s.id(), s));
        recent.clear();
        recentIds.clear();
        merged.values().stream().skip(Math.max(0, merged.size() - RECENT_MAX)).forEach(this::remember);
        whole = complete && merged.size() <= RECENT_MAX;
        seeded = true;
    }

    /** The first shout held for a joining member: where its history must end. Null when none is yet. */
    synchronized UUID firstHeld(Member member) {
        return member.firstHeld();
    }

    /**
     * Sends the member its history, then the shouts it held back meanwhile, if the history was cut where it had to be.
     *
     * @param cut what {@link #firstHeld} was when the history was made: the history holds only older shouts
     * @return false when another shout was held since, so the history must be made again with the new cut
     */
    synchronized boolean goLive(Member member, String history, UUID cut) {
        if (!joining.contains(member)) {
            return true;
        }
        if (!Objects.equals(member.firstHeld(), cut)) {
            return false;
        }
        member.goLive(history);
        joining.remove(member);
        Member[] loop = live.getOrDefault(member.outbox, new Member[0]);
        Member[] grown = Arrays.copyOf(loop, loop.length + 1);
        grown[loop.length] = member;
        live.put(member.outbox, grown);
        liveCount++;
        return true;
    }

    /** @return true when the room is now closed and must leave the registry */
    synchronized boolean leave(Member member) {
        member.left();
        if (!joining.remove(member)) {
            Member[] loop = live.get(member.outbox);
            int at = loop == null ? -1 : Arrays.asList(loop).indexOf(member);
            if (at >= 0) {
                Member[] shrunk = new Member[loop.length - 1];
                System.arraycopy(loop, 0, shrunk, 0, at);
                System.arraycopy(loop, at + 1, shrunk, at, loop.length - at - 1);
                if (shrunk.length == 0) {
                    live.remove(member.outbox);
                } else {
                    live.put(member.outbox, shrunk);
                }
                liveCount--;
            }
        }
        return closeIfIdle();
    }

    /** The shout is stored, or will never be: history finds it in PostgreSQL, or not at all. */
    synchronized boolean settled(UUID id) {
        unstored.remove(id);
        return closeIfIdle();
    }

    private boolean closeIfIdle() {
        closed = size() == 0 && unstored.isEmpty();
        return closed;
    }
}
