package io.slackir.chat;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.slackir.chat.protocol.Shout;
import io.slackir.conversations.Message;

/**
 * What a room remembers of its shouts, so that joins and reconnects are answered without the database: its latest
 * shouts, those accepted here and not stored yet, and whether the latest are all there. Only shouts are remembered;
 * ephemeral events never are. Guarded by its own lock, always taken after the room's when both are.
 */
final class RoomMemory {

    /** The most shouts {@link #recent} keeps. */
    static final int RECENT_MAX = Message.PAGE_MAX;

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
     * while none is missing. Once subscribed again, those stored since then are read back ({@link ClusterFeed}).
     */
    private Instant missingSince;
    /** The clock {@link #missingSince} is read from when the link is lost. */
    private final InstantSource clock;

    RoomMemory(boolean trusted, Instant missingSince) {
        this(trusted, missingSince, InstantSource.system());
    }

    /** @param clock the system's, or a test's own */
    RoomMemory(boolean trusted, Instant missingSince, InstantSource clock) {
        this.trusted = trusted;
        this.missingSince = missingSince;
        this.clock = clock;
    }

    /** A shout accepted here: remembered, and owed to the database until {@link #settled}. */
    synchronized void accepted(Shout shout) {
        unstored.put(shout.id(), shout);
        remember(shout);
    }

    /**
     * A shout another node accepted.
     *
     * @return false when it came already (a node publishes again what it is not sure Redis took)
     */
    synchronized boolean relayed(Shout shout) {
        if (recentIds.contains(shout.id())) {
            return false;
        }
        remember(shout);
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

    /** The shout is stored, or will never be: history finds it in PostgreSQL, or not at all. */
    synchronized void settled(UUID id) {
        unstored.remove(id);
    }

    /** Whether shouts accepted here still wait to be stored. */
    synchronized boolean owes() {
        return !unstored.isEmpty();
    }

    /** The shouts in memory now. */
    synchronized Snapshot snapshot() {
        return new Snapshot(new ArrayList<>(recent), new ArrayList<>(unstored.values()), seeded && trusted,
                whole && trusted, trusted);
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
            missingSince = clock.instant();
        }
        trusted = false;
        seeded = false;
        whole = false;
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
}
