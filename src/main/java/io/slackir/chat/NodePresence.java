package io.slackir.chat;

import java.time.Instant;
import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What one node has in a room (its members, by key, and its unnamed connections), said to the other nodes whenever it
 * changes and every heartbeat; each keeps it until it is said again or its time to live passes (a node that died).
 * {@code sync} asks the others to say theirs at once (a node that just subscribed to the room's channel).
 */
record NodePresence(String room, String node, List<RoomPresence.Entry> members, int unnamed, boolean sync)
        implements Ephemeral {

    static final String TYPE = "presence_node";

    /** The frame as it crosses: members with their keys. */
    @RegisterForReflection
    record Frame(String type, String room, List<MemberFrame> members, int unnamed, boolean sync) {
    }

    @RegisterForReflection
    record MemberFrame(String key, String name, int connections, Instant since) {
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

    static NodePresence of(String node, Frame frame) {
        return new NodePresence(frame.room(), node, frame.members().stream()
                .map(m -> new RoomPresence.Entry(m.key(), m.name(), m.connections(), m.since())).toList(),
                frame.unnamed(), frame.sync());
    }
}
