package io.slackir.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.slackir.chat.protocol.Shout;

/** What a room remembers of its shouts ({@link RoomMemory}): bounds, duplicates, seeding and trust; no database. */
class RoomMemoryTest {

    private static final Instant START = Instant.parse("2026-12-04T14:00:00Z");

    /** The wall clock {@link RoomMemory#distrust} reads, moved by the test. */
    private Instant now = START;

    /** A memory of a single node: trusted from the start. */
    private RoomMemory alone() {
        return new RoomMemory(true, null, () -> now);
    }

    /** The {@code n}th shout of the room: ids in acceptance order, as UUIDv7s are. */
    private static Shout shout(int n) {
        Instant at = START.plusMillis(n);
        return new Shout(Shout.idAt(at), "lobby", "Ada", "shout " + n, at);
    }

    private static List<Shout> shouts(int from, int to) {
        return IntStream.range(from, to).mapToObj(RoomMemoryTest::shout).toList();
    }

    private static List<UUID> ids(List<Shout> shouts) {
        return shouts.stream().map(Shout::id).toList();
    }

    @Test
    void anAcceptedShoutIsRememberedAndOwedUntilSettled() {
        RoomMemory memory = alone();

        memory.accepted(shout(1));

        assertTrue(memory.owes());
        assertEquals(List.of(shout(1)), memory.snapshot().recent());
        assertEquals(List.of(shout(1)), memory.snapshot().unstored());

        memory.settled(shout(1).id());

        assertFalse(memory.owes());
        assertEquals(List.of(), memory.snapshot().unstored());
        assertEquals(List.of(shout(1)), memory.snapshot().recent(), "still remembered once stored");
    }

    @Test
    void aShoutRelayedTwiceIsRememberedOnce() {
        RoomMemory memory = alone();

        assertTrue(memory.relayed(shout(1)));
        assertFalse(memory.relayed(shout(1)), "a node publishes again what it is not sure Redis took");
        memory.accepted(shout(2));
        assertFalse(memory.relayed(shout(2)));

        assertEquals(List.of(shout(1), shout(2)), memory.snapshot().recent());
        assertEquals(List.of(shout(2)), memory.snapshot().unstored(), "another node's shout is not owed here");
    }

    @Test
    void memoryKeepsTheLatestShoutsUpToItsBoundAndIsThenNoLongerWhole() {
        RoomMemory memory = alone();
        memory.seed(List.of(), true);
        shouts(0, RoomMemory.RECENT_MAX).forEach(memory::accepted);

        assertTrue(memory.snapshot().whole());
        assertEquals(RoomMemory.RECENT_MAX, memory.snapshot().recent().size());

        memory.relayed(shout(RoomMemory.RECENT_MAX));

        RoomMemory.Snapshot snapshot = memory.snapshot();
        assertEquals(ids(shouts(1, RoomMemory.RECENT_MAX + 1)), ids(snapshot.recent()), "the oldest is forgotten");
        assertFalse(snapshot.whole());
        assertTrue(snapshot.seeded(), "still the latest: a join needs no database");
        assertEquals(RoomMemory.RECENT_MAX, snapshot.unstored().size(), "unstored shouts are kept whatever the bound");
    }

    @Test
    void theFirstJoinReadsAndTheOthersWaitForIt() {
        RoomMemory memory = alone();

        assertNull(memory.seedOrWait(), "the first join reads the database");
        CompletableFuture<Void> second = memory.seedOrWait();
        assertNotNull(second);
        assertSame(second, memory.seedOrWait(), "one read for the whole crowd");
        assertFalse(second.isDone());

        memory.seed(List.of(shout(1)), true);

        assertTrue(second.isDone());
        assertTrue(memory.snapshot().seeded());
    }

    @Test
    void aFailedReadLetsTheWaitingJoinsReadForThemselves() {
        RoomMemory memory = alone();
        memory.seedOrWait();
        CompletableFuture<Void> waiting = memory.seedOrWait();

        memory.seedingOver();

        assertTrue(waiting.isDone());
        assertFalse(memory.snapshot().seeded());
        assertNull(memory.seedOrWait(), "the next join is the one to read");
    }

    @Test
    void seedingMergesStoredShoutsWithThoseAcceptedSince() {
        RoomMemory memory = alone();
        memory.accepted(shout(3));
        memory.relayed(shout(4));

        // The read saw shout 3 stored already, and not shout 4
        memory.seed(List.of(shout(1), shout(2), shout(3)), true);

        RoomMemory.Snapshot snapshot = memory.snapshot();
        assertEquals(List.of(shout(1), shout(2), shout(3), shout(4)), snapshot.recent());
        assertTrue(snapshot.seeded());
        assertTrue(snapshot.whole());
        assertFalse(memory.relayed(shout(2)), "stored shouts count as remembered");
    }

    @Test
    void seedingKeepsOnlyTheLatestAndIsNotWholePastTheBound() {
        RoomMemory memory = alone();
        memory.accepted(shout(RoomMemory.RECENT_MAX + 9));

        memory.seed(shouts(0, RoomMemory.RECENT_MAX), true);

        RoomMemory.Snapshot snapshot = memory.snapshot();
        assertEquals(RoomMemory.RECENT_MAX, snapshot.recent().size());
        assertEquals(shout(1), snapshot.recent().getFirst());
        assertEquals(shout(RoomMemory.RECENT_MAX + 9), snapshot.recent().getLast());
        assertFalse(snapshot.whole(), "every stored shout was read, but one no longer fits");
    }

    @Test
    void aPartialReadSeedsButIsNotWhole() {
        RoomMemory memory = alone();

        memory.seed(shouts(0, 5), false);

        assertTrue(memory.snapshot().seeded());
        assertFalse(memory.snapshot().whole());
    }

    @Test
    void aRoomIsSeededOnce() {
        RoomMemory memory = alone();
        memory.seed(List.of(shout(2)), true);

        memory.seed(List.of(shout(1)), true);

        assertEquals(List.of(shout(2)), memory.snapshot().recent(), "a later read changes nothing");
    }

    @Test
    void anUntrustedMemoryIsNotSeededButReleasesTheWaitingJoins() {
        Instant linkDown = START.minusSeconds(5);
        RoomMemory memory = new RoomMemory(false, linkDown, () -> now);
        memory.seedOrWait();
        CompletableFuture<Void> waiting = memory.seedOrWait();

        memory.seed(List.of(shout(1)), true);

        assertTrue(waiting.isDone());
        RoomMemory.Snapshot snapshot = memory.snapshot();
        assertEquals(List.of(), snapshot.recent());
        assertFalse(snapshot.seeded());
        assertFalse(snapshot.trusted());
        assertEquals(linkDown, memory.missingSince());
    }

    @Test
    void losingTheLinkForgetsTheSeedAndNotesWhenShoutsStartedMissing() {
        RoomMemory memory = alone();
        memory.seed(List.of(shout(1)), true);
        memory.seedOrWait();
        CompletableFuture<Void> waiting = memory.seedOrWait();
        now = START.plus(Duration.ofMinutes(3));

        memory.distrust();

        assertEquals(START.plus(Duration.ofMinutes(3)), memory.missingSince());
        assertTrue(waiting.isDone(), "a read under way may miss other nodes' shouts: the waiting joins look again");
        RoomMemory.Snapshot snapshot = memory.snapshot();
        assertFalse(snapshot.trusted());
        assertFalse(snapshot.seeded());
        assertFalse(snapshot.whole());
        assertEquals(List.of(shout(1)), snapshot.recent(), "kept, but no longer answers a join alone");
    }

    @Test
    void losingTheLinkAgainKeepsWhenShoutsFirstWentMissing() {
        RoomMemory memory = alone();
        memory.distrust();

        now = START.plus(Duration.ofMinutes(1));
        memory.distrust();

        assertEquals(START, memory.missingSince());
    }

    @Test
    void trustAfterTheGapIsReadBackClearsItButTheNextJoinSeedsAnew() {
        RoomMemory memory = alone();
        memory.seed(List.of(), true);
        memory.distrust();

        memory.trust();

        assertNull(memory.missingSince());
        assertTrue(memory.snapshot().trusted());
        assertFalse(memory.snapshot().seeded(), "what was read before the gap may miss shouts");
        assertNull(memory.seedOrWait());
        memory.seed(List.of(shout(1)), true);
        assertTrue(memory.snapshot().seeded());
        assertTrue(memory.snapshot().whole());
    }
}
