package io.slackir.chat.presence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

import io.slackir.chat.protocol.Speaker;

/**
 * Who is in one room: its connections on this node by speaker, what the other nodes last said of theirs (until it is
 * older than the time to live), and what its members were last told, from which the next diff is made. Guarded by the
 * room's lock.
 */
public final class RoomPresence {

    /** What another node has in this room, and when that expires unless it says it again. */
    private record Remote(List<NodePresence.Entry> members, int unnamed, long expires) {
    }

    /** This node's connections by speaker key: the name, and when each connection joined. */
    private final Map<String, NodePresence.Entry> local = new TreeMap<>();
    private final Map<String, List<Instant>> joins = new HashMap<>();
    private int localUnnamed;
    private final Map<String, Remote> remote = new HashMap<>();
    /** What the members were told: the merged view as of the last diff. */
    private Map<String, NodePresence.Entry> told = new TreeMap<>();
    private int toldUnnamed;
    /** {@link #told} as a {@code presence} frame, made once for every joiner until the next diff. */
    private String toldFrame;
    /** Whether this node's own part changed since it was last published to the other nodes. */
    private boolean localChanged;
    /** Whether a diff is due (one is scheduled): changes until then go in the same diff. */
    private boolean scheduled;

    public void joined(Speaker speaker, Instant at) {
        localChanged = true;
        if (speaker == null) {
            localUnnamed++;
            return;
        }
        List<Instant> times = joins.computeIfAbsent(speaker.key(), k -> new ArrayList<>());
        times.add(at);
        local.put(speaker.key(), new NodePresence.Entry(speaker.key(), speaker.name(), times.size(), min(times)));
    }

    public void left(Speaker speaker, Instant at) {
        localChanged = true;
        if (speaker == null) {
            localUnnamed = Math.max(0, localUnnamed - 1);
            return;
        }
        List<Instant> times = joins.get(speaker.key());
        if (times == null || !times.remove(at)) {
            return;
        }
        if (times.isEmpty()) {
            joins.remove(speaker.key());
            local.remove(speaker.key());
        } else {
            local.put(speaker.key(), new NodePresence.Entry(speaker.key(), speaker.name(), times.size(), min(times)));
        }
    }

    private static Instant min(List<Instant> times) {
        return times.stream().min(Instant::compareTo).orElseThrow();
    }

    /** What another node says it has here now: replaces what it said before. */
    public void remote(String node, List<NodePresence.Entry> members, int unnamed, long expires) {
        if (members.isEmpty() && unnamed == 0) {
            remote.remove(node);
        } else {
            remote.put(node, new Remote(List.copyOf(members), unnamed, expires));
        }
    }

    /** Forgets what nodes said that they have not said again in time (a node that died). @return whether any */
    public boolean expire(long now) {
        return remote.values().removeIf(r -> r.expires() - now < 0);
    }

    /** Every member, on every node, by key. */
    public Map<String, NodePresence.Entry> merged() {
        Map<String, NodePresence.Entry> all = new TreeMap<>(local);
        for (Remote node : remote.values()) {
            for (NodePresence.Entry e : node.members()) {
                all.merge(e.key(), e, (a, b) -> new NodePresence.Entry(a.key(), a.name(),
                        a.connections() + b.connections(), a.since().isBefore(b.since()) ? a.since() : b.since()));
            }
        }
        return all;
    }

    public int unnamed() {
        return localUnnamed + remote.values().stream().mapToInt(Remote::unnamed).sum();
    }

    /** What changed since the members were last told, and now they are; null when nothing did. */
    public PresenceDiffFrame diff() {
        scheduled = false;
        Map<String, NodePresence.Entry> now = merged();
        int unnamed = unnamed();
        List<PresenceEntry> joined = new ArrayList<>();
        for (NodePresence.Entry e : now.values()) {
            if (!Objects.equals(told.get(e.key()), e)) {
                joined.add(e.frame());
            }
        }
        List<String> left = new ArrayList<>();
        for (NodePresence.Entry e : told.values()) {
            if (!now.containsKey(e.key())) {
                left.add(e.name());
            }
        }
        if (joined.isEmpty() && left.isEmpty() && unnamed == toldUnnamed) {
            return null;
        }
        told = now;
        toldUnnamed = unnamed;
        toldFrame = null;
        return new PresenceDiffFrame(joined, left, unnamed);
    }

    /**
     * What the members were told, as a {@code presence} frame: a joiner starts from it, and the diffs that follow bring
     * it up to date. Serialized once per diff, not once per joiner: a crowd joins a crowded room.
     */
    public String told(Function<Object, String> json) {
        if (toldFrame == null) {
            toldFrame = json.apply(
                    new PresenceFrame(told.values().stream().map(NodePresence.Entry::frame).toList(), toldUnnamed));
        }
        return toldFrame;
    }

    /** Every member now, on every node. */
    public PresenceFrame now() {
        return new PresenceFrame(merged().values().stream().map(NodePresence.Entry::frame).toList(), unnamed());
    }

    /** This node's own part, for the other nodes. */
    public NodePresence local(String room, String node, boolean sync) {
        localChanged = false;
        return new NodePresence(room, node, List.copyOf(local.values()), localUnnamed, sync);
    }

    public boolean localChanged() {
        return localChanged;
    }

    public boolean hasLocal() {
        return !local.isEmpty() || localUnnamed > 0;
    }

    /** Marks a diff as scheduled. @return false when one was already */
    public boolean schedule() {
        if (scheduled) {
            return false;
        }
        scheduled = true;
        return true;
    }
}
