package io.slackir.chat.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.slackir.chat.protocol.Ephemeral;
import io.slackir.chat.protocol.Speaker;

/**
 * Who is in a room ({@link RoomPresence}): connections counted per speaker, other nodes' parts merged and expired, and
 * the diffs the members are told, driven by hand: no socket, no Redis, no timer.
 */
class RoomPresenceTest {

    private static final Instant T0 = Instant.parse("2026-12-04T14:00:00Z");
    private static final Instant T1 = T0.plusSeconds(1);
    private static final Instant T2 = T0.plusSeconds(2);
    private static final Instant T3 = T0.plusSeconds(3);

    private static final Speaker ADA = Speaker.named("Ada");
    private static final Speaker BO = Speaker.named("Bo");

    private final RoomPresence presence = new RoomPresence();

    private static NodePresence.Entry entry(Speaker speaker, int connections, Instant since) {
        return new NodePresence.Entry(speaker.key(), speaker.name(), connections, since);
    }

    @Test
    void aSpeakerOnSeveralConnectionsIsOneMemberSinceTheEarliest() {
        presence.joined(ADA, T2);
        presence.joined(ADA, T1);
        presence.joined(ADA, T3);

        assertEquals(Map.of("Ada", entry(ADA, 3, T1)), presence.merged());

        presence.left(ADA, T1);
        assertEquals(Map.of("Ada", entry(ADA, 2, T2)), presence.merged(), "since the earliest connection left");

        presence.left(ADA, T2);
        presence.left(ADA, T3);
        assertEquals(Map.of(), presence.merged());
        assertFalse(presence.hasLocal());
    }

    @Test
    void aLeaveOfAConnectionNeverCountedChangesNoCount() {
        presence.joined(ADA, T1);

        presence.left(ADA, T2);
        presence.left(BO, T1);

        assertEquals(Map.of("Ada", entry(ADA, 1, T1)), presence.merged());
    }

    @Test
    void unnamedConnectionsAreCountedAndNeverBelowZero() {
        presence.joined(null, T1);
        presence.joined(null, T2);
        assertEquals(2, presence.unnamed());
        assertTrue(presence.hasLocal());
        assertEquals(Map.of(), presence.merged(), "no member for them");

        presence.left(null, T1);
        presence.left(null, T2);
        presence.left(null, T2);

        assertEquals(0, presence.unnamed());
        assertFalse(presence.hasLocal());
    }

    @Test
    void otherNodesPartsAreMergedConnectionsSummedSinceTheEarliest() {
        presence.joined(ADA, T2);
        presence.joined(null, T2);
        presence.remote("n2", List.of(entry(ADA, 2, T1), entry(BO, 1, T3)), 3, 1_000);
        presence.remote("n3", List.of(entry(ADA, 1, T3)), 0, 1_000);

        assertEquals(Map.of("Ada", entry(ADA, 4, T1), "Bo", entry(BO, 1, T3)), presence.merged());
        assertEquals(4, presence.unnamed());
        assertEquals(new PresenceFrame(List.of(new PresenceEntry("Ada", 4, T1), new PresenceEntry("Bo", 1, T3)), 4),
                presence.now());
        assertEquals(9, presence.now().connections());
    }

    @Test
    void whatANodeSaysReplacesWhatItSaidBeforeAndNothingForgetsIt() {
        presence.remote("n2", List.of(entry(ADA, 2, T1)), 1, 1_000);

        presence.remote("n2", List.of(entry(BO, 1, T2)), 0, 2_000);
        assertEquals(Map.of("Bo", entry(BO, 1, T2)), presence.merged());
        assertEquals(0, presence.unnamed());

        presence.remote("n2", List.of(), 0, 3_000);
        assertEquals(Map.of(), presence.merged());
        assertFalse(presence.expire(Long.MAX_VALUE), "an empty part is not kept to expire");
    }

    @Test
    void aNodesPartExpiresOnceItsTimeToLivePasses() {
        presence.joined(ADA, T1);
        presence.remote("n2", List.of(entry(BO, 1, T1)), 2, 5_000);
        presence.remote("n3", List.of(entry(ADA, 1, T0)), 0, 9_000);

        assertFalse(presence.expire(4_999));
        assertFalse(presence.expire(5_000), "not before it has passed");
        assertTrue(presence.expire(5_001));

        assertEquals(Map.of("Ada", entry(ADA, 2, T0)), presence.merged());
        assertEquals(0, presence.unnamed());
        assertFalse(presence.expire(5_002), "nothing more to forget");
    }

    @Test
    void expiryComparesNanosAcrossTheirOverflow() {
        // System.nanoTime may be anywhere, and wraps: a ttl past Long.MAX_VALUE is still ahead of now
        long now = Long.MAX_VALUE - 1_000;
        presence.remote("n2", List.of(entry(BO, 1, T1)), 0, now + 5_000);

        assertFalse(presence.expire(now));
        assertFalse(presence.expire(now + 5_000));
        assertTrue(presence.expire(now + 5_001));
    }

    @Test
    void anEmptyRoomHasNothingToTell() {
        assertNull(presence.diff());
        assertEquals(new PresenceFrame(List.of(), 0), presence.now());
    }

    @Test
    void theFirstDiffTellsEveryoneHereAndThenNothingUntilSomethingChanges() {
        presence.joined(ADA, T1);
        presence.joined(null, T1);

        assertEquals(new PresenceDiffFrame(List.of(new PresenceEntry("Ada", 1, T1)), List.of(), 1), presence.diff());
        assertNull(presence.diff());
    }

    @Test
    void aSecondTabIsAJoinThatReplacesTheMembersEntry() {
        presence.joined(ADA, T1);
        presence.diff();

        presence.joined(ADA, T2);

        assertEquals(new PresenceDiffFrame(List.of(new PresenceEntry("Ada", 2, T1)), List.of(), 0), presence.diff());
    }

    @Test
    void aMemberWithNoConnectionLeftIsALeaveByName() {
        presence.joined(ADA, T1);
        presence.joined(ADA, T2);
        presence.diff();

        presence.left(ADA, T1);
        presence.left(ADA, T2);

        assertEquals(new PresenceDiffFrame(List.of(), List.of("Ada"), 0), presence.diff());
    }

    @Test
    void aJoinAndALeaveInOneWindowAreOneDiff() {
        presence.joined(ADA, T1);
        presence.diff();

        presence.left(ADA, T1);
        presence.joined(BO, T2);

        assertEquals(new PresenceDiffFrame(List.of(new PresenceEntry("Bo", 1, T2)), List.of("Ada"), 0),
                presence.diff());
    }

    @Test
    void comingAndGoingWithinOneWindowTellsNothing() {
        presence.joined(ADA, T1);
        presence.diff();

        presence.joined(BO, T2);
        presence.left(BO, T2);
        presence.joined(null, T2);
        presence.left(null, T2);

        assertNull(presence.diff());
    }

    @Test
    void unnamedConnectionsAloneMakeADiff() {
        presence.joined(null, T1);

        assertEquals(new PresenceDiffFrame(List.of(), List.of(), 1), presence.diff());
    }

    @Test
    void anExpiredNodesMembersLeave() {
        presence.remote("n2", List.of(entry(BO, 1, T1)), 1, 100);
        presence.diff();

        presence.expire(101);

        assertEquals(new PresenceDiffFrame(List.of(), List.of("Bo"), 0), presence.diff());
    }

    @Test
    void whatMembersWereToldIsSerializedOncePerDiff() {
        List<Object> serialized = new ArrayList<>();
        Function<Object, String> json = frame -> {
            serialized.add(frame);
            return "frame " + serialized.size();
        };
        presence.joined(ADA, T1);
        presence.diff();

        String first = presence.told(json);
        assertSame(first, presence.told(json));
        assertEquals(List.of(new PresenceFrame(List.of(new PresenceEntry("Ada", 1, T1)), 0)), serialized);

        presence.joined(BO, T2);
        assertSame(first, presence.told(json), "a joiner starts from what was told; the next diff brings Bo");

        presence.diff();
        assertEquals("frame 2", presence.told(json));
        assertEquals(new PresenceFrame(List.of(new PresenceEntry("Ada", 1, T1), new PresenceEntry("Bo", 1, T2)), 0),
                serialized.getLast());

        assertNull(presence.diff());
        assertEquals("frame 2", presence.told(json), "a diff that changed nothing keeps the frame");
        assertEquals(2, serialized.size());
    }

    @Test
    void thisNodesOwnPartLeavesOtherNodesOutAndIsPublishedOncePerChange() {
        assertFalse(presence.localChanged());
        presence.joined(ADA, T1);
        presence.joined(null, T1);
        presence.remote("n2", List.of(entry(BO, 1, T1)), 5, 1_000);
        assertTrue(presence.localChanged());

        NodePresence part = presence.local("lobby", "n1", true);

        assertEquals(new NodePresence("lobby", "n1", List.of(entry(ADA, 1, T1)), 1, true), part);
        assertFalse(presence.localChanged());

        presence.remote("n2", List.of(), 0, 2_000);
        assertFalse(presence.localChanged(), "other nodes' changes are theirs to publish");

        presence.left(null, T1);
        assertTrue(presence.localChanged());
        assertEquals(new NodePresence("lobby", "n1", List.of(entry(ADA, 1, T1)), 0, false),
                presence.local("lobby", "n1", false));
    }

    @Test
    void aDiffIsScheduledOnceUntilItIsMade() {
        assertTrue(presence.schedule());
        assertFalse(presence.schedule(), "changes until then go in the same diff");

        presence.diff();

        assertTrue(presence.schedule());
    }

    @Test
    void aNodesPartCrossesAsItsFrameAndComesBackTheSame() {
        NodePresence part = new NodePresence("lobby", "n1", List.of(entry(ADA, 2, T1), entry(BO, 1, T2)), 3, true);

        NodePresence.Frame frame = part.frame();

        assertEquals(NodePresence.TYPE, frame.type());
        assertEquals(List.of(new NodePresence.MemberFrame("Ada", "Ada", 2, T1),
                new NodePresence.MemberFrame("Bo", "Bo", 1, T2)), frame.members());
        assertEquals(part, NodePresence.of("n1", frame));
        assertEquals("n2", NodePresence.of("n2", frame).node(), "the node is the sender's, not in the frame");
        assertEquals(Ephemeral.Reach.NODES, part.reach(), "no connection gets it");
    }
}
