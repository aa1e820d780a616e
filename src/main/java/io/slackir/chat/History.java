package io.slackir.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.slackir.chat.nodes.Cluster;
import io.slackir.chat.protocol.ErrorCode;
import io.slackir.chat.protocol.ErrorFrame;
import io.slackir.chat.protocol.FieldError;
import io.slackir.chat.protocol.Frames;
import io.slackir.chat.protocol.HistoryFrame;
import io.slackir.chat.protocol.Refusal;
import io.slackir.chat.protocol.Shout;
import io.slackir.conversations.Message;

/**
 * The history frame a joining connection gets first: the room's latest shouts, or with {@code ?after=ID} every shout
 * since that one, from the room's memory when it has them and from PostgreSQL when not, merged with the shouts accepted
 * and not stored yet. Shouts delivered meanwhile follow it, none missing, none twice.
 */
@ApplicationScoped
class History {

    private static final Logger LOG = Logger.getLogger(History.class);

    /** How many shouts the history frame on join holds. */
    static final int LATEST = Message.PAGE_DEFAULT;
    /** The most shouts a history after an {@code after} id holds; the client pages older ones over HTTP. */
    static final int AFTER_MAX = RoomMemory.RECENT_MAX;
    /** How far apart the clocks of two nodes may be: ids are their node's time. */
    static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /** How long a join waits for another's read of the room's latest shouts before reading them itself. */
    private static final Duration SEED_WAIT = Duration.ofSeconds(5);

    private final ObjectMapper json;
    private final Cluster cluster;

    History(ObjectMapper json, Cluster cluster) {
        this.json = json;
        this.cluster = cluster;
    }

    /** The {@code after} id, or null (the latest history) with an error frame when it is not a UUID. */
    UUID since(Member member, String after) {
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
        // Sent before the history, while live events are still held: the client learns why it gets the latest instead
        member.send(Frames.write(json, ErrorFrame.of(new Refusal(ErrorCode.INVALID,
                "the history cannot start after that id; here are the latest shouts",
                List.of(new FieldError("after", problem))), null)));
    }

    /** Sends the member of a room its history, then makes it live. May block on the database. */
    void send(Room room, Member member, RoomMemory.Snapshot memory, UUID after) {
        TreeMap<UUID, Shout> merged = new TreeMap<>();
        boolean complete;
        int size = after == null ? LATEST : AFTER_MAX;
        boolean seeder = false;
        if (after == null && !memory.seeded() && memory.trusted()) {
            CompletableFuture<Void> reading = room.memory.seedOrWait();
            if (reading == null) {
                seeder = true;
            } else {
                // Another join is reading the room's latest shouts for memory: wait for it rather than read them too
                awaitAWhile(reading, SEED_WAIT, "room " + room.name + ": the read of its latest shouts");
                memory = room.memory.snapshot();
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
                    size = LATEST;
                }
                List<Shout> stored = Message.page(room.name, lookBack(after), null, size + 1).stream()
                        .map(Shout::of).toList();
                complete = stored.size() <= size;
                stored.forEach(s -> merged.put(s.id(), s));
                if (after == null) {
                    room.memory.seed(stored, complete);
                }
            } catch (RuntimeException e) {
                if (seeder) {
                    room.memory.seedingOver(); // the joins waiting for this read read for themselves
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
            frame = frame(cut == null ? since : since.headMap(cut), complete, size);
        } while (!room.goLive(member, frame, cut));
    }

    /**
     * Where a reconnect's history starts. Alone: right after {@code after}. With other nodes, a little before: a shout
     * of another node can arrive after one of this node with a later id (Redis's delay, the nodes' clocks), so the
     * client may have left before it came; the history holds the shouts of the last {@link #CLOCK_SKEW} before
     * {@code after} too, and the client drops those it has (docs/contract-notes.md, "Several nodes").
     */
    private UUID lookBack(UUID after) {
        if (after == null || !cluster.enabled()) {
            return after;
        }
        return Shout.idAt(Shout.timeOf(after).minus(CLOCK_SKEW));
    }

    private static boolean holds(List<Shout> shouts, UUID id) {
        for (Shout s : shouts) {
            if (s.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private String frame(SortedMap<UUID, Shout> shouts, boolean storedComplete, int size) {
        List<Shout> history = new ArrayList<>(shouts.values());
        boolean complete = storedComplete;
        if (history.size() > size) {
            // Those cut off are older than the history shows: complete=false tells the client to page them
            history = history.subList(history.size() - size, history.size());
            complete = false;
        }
        return Frames.write(json, new HistoryFrame(history, complete));
    }

    /** Waits for {@code done} up to {@code patience}; after that the caller goes on without it. */
    static void awaitAWhile(CompletableFuture<Void> done, Duration patience, String what) {
        try {
            done.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.debugf("Going on without %s: %s", what, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
