package io.slackir.chat.presence;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.slackir.chat.protocol.Ephemeral;

/**
 * What one node has in a room (its members, by key, and its unnamed connections), said to the other nodes whenever it
 * changes and every heartbeat; each keeps it until it is said again or its time to live passes (a node that died).
 * {@code sync} asks the others to say theirs at once (a node that just subscribed to the room's channel).
 */
public record NodePresence(String room, String node, List<Entry> members, int unnamed, boolean sync)
        implements Ephemeral {

    public static final String TYPE = "presence_node";

    /** One member as a room shows it: every connection that speaks as it (by key), on every node. */
    public record Entry(String key, String name, int connections, Instant since) {

        public PresenceEntry frame() {
            return new PresenceEntry(name, connections, since);
        }
    }

    /** The frame as it crosses: members with their keys. */
    @RegisterForReflection
    public record Frame(String type, String room, List<MemberFrame> members, int unnamed, boolean sync) {
    }

    @RegisterForReflection
    public record MemberFrame(String key, String name, int connections, Instant since) {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Frame frame() {
        return new Frame(TYPE, room, members.stream()
                .map(e -> new MemberFrame(e.key(), e.name(), e.connections(), e.since())).toList(), unnamed, sync);
    }

    @Override
    public Reach reach() {
        return Reach.NODES;
    }

    public static NodePresence of(String node, Frame frame) {
        return new NodePresence(frame.room(), node, frame.members().stream()
                .map(m -> new Entry(m.key(), m.name(), m.connections(), m.since())).toList(),
                frame.unnamed(), frame.sync());
    }
}
