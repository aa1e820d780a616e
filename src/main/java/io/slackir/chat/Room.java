package io.slackir.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.buffer.ByteBuf;
import io.slackir.chat.nodes.Cluster;
import io.slackir.chat.presence.RoomPresence;
import io.slackir.chat.protocol.Ephemeral;
import io.slackir.chat.protocol.RoomEvent;
import io.slackir.chat.protocol.Shout;
import io.slackir.chat.wire.Outbox;
import io.slackir.chat.wire.SocketWriter;

/**
 * One chat room: its open connections, and what it remembers ({@link RoomMemory}). Every room event reaches its
 * members under the room's lock: each connection sees the room's events in the order they happened, and a joining
 * connection gets its history before any live event. An event is serialized once, and handed to each event loop once
 * with the room's members there, not once per member.
 */
final class Room {

    final String name;
    final RoomMemory memory;
    /** Who is here, on this node and the others. */
    final RoomPresence presence = new RoomPresence();
    /** Members waiting for their history: they hold the events delivered meanwhile. */
    private final List<Member> joining = new ArrayList<>();
    /** Members that got their history: live events go to them straight away. */
    private final Set<Member> live = new LinkedHashSet<>();
    /**
     * The live members' writers by their event loop's outbox (null: written through websockets-next), as arrays
     * replaced on every change: a delivery posts them as they are, and a later join or leave does not touch what was
     * posted.
     */
    private final Map<Outbox, SocketWriter[]> writers = new HashMap<>();
    /** Set once the room is idle and left {@link Rooms}; a closed room takes nothing new. */
    private boolean closed;

    private final Counter deliveries;
    private final Cluster cluster;
    private final Function<Object, String> json;
    /** This room's {@code slackir.room.connections} gauge, removed when the room closes. */
    Gauge connections;

    Room(String name, Counter deliveries, Cluster cluster, Function<Object, String> json) {
        this.name = name;
        this.deliveries = deliveries;
        this.cluster = cluster;
        this.json = json;
        this.memory = new RoomMemory(!cluster.enabled(),
                cluster.enabled() && !cluster.connected() ? Instant.now() : null);
    }

    /** The open connections. */
    synchronized int size() {
        return joining.size() + live.size();
    }

    synchronized List<Member> members() {
        List<Member> all = new ArrayList<>(joining);
        all.addAll(live);
        return all;
    }

    /**
     * Accepts a shout made by {@code make} (under this lock, so ids are given in delivery order), remembers it, and
     * lets it happen: every member here and every other node gets it, serialized once by {@code encode}.
     *
     * @return the shout, or null when the room is closed
     */
    synchronized Shout shout(Function<String, Shout> make, Function<RoomEvent, byte[]> encode) {
        if (closed) {
            return null;
        }
        Shout shout = make.apply(name);
        memory.accepted(shout);
        happen(shout, encode.apply(shout));
        return shout;
    }

    /**
     * An ephemeral event that happened here: the members here and the other nodes get it, as far as it reaches;
     * nothing remembers it.
     *
     * @return false when the room is closed
     */
    synchronized boolean publish(Ephemeral event, byte[] frame) {
        if (closed) {
            return false;
        }
        if (event.reach() != Ephemeral.Reach.HERE) {
            cluster.publish(event, frame);
        }
        if (event.reach() != Ephemeral.Reach.NODES) {
            deliver(event, Outbox.frame(frame));
        }
        return true;
    }

    private void happen(RoomEvent event, byte[] frame) {
        cluster.publish(event, frame);
        deliver(event, Outbox.frame(frame));
    }

    /**
     * Delivers an event that happened on another node to every member here; a shout is remembered as well, unless it
     * came already (a node publishes again what it is not sure Redis took).
     *
     * @return false when the room is closed or had it
     */
    synchronized boolean relay(RoomEvent event, byte[] frame) {
        // Only shouts are remembered: every other kind is ephemeral
        boolean fresh = !closed && (!(event instanceof Shout shout) || memory.relayed(shout));
        if (fresh) {
            deliver(event, Outbox.frame(frame));
        }
        return fresh;
    }

    private void deliver(RoomEvent event, ByteBuf frame) {
        String except = event instanceof Ephemeral ephemeral ? ephemeral.except() : null;
        for (Member member : joining) {
            if (!member.connection.id().equals(except)) {
                member.deliver(event, frame);
            }
        }
        for (Map.Entry<Outbox, SocketWriter[]> loop : writers.entrySet()) {
            SocketWriter[] to = except == null ? loop.getValue() : Arrays.stream(loop.getValue())
                    .filter(w -> !w.connection().id().equals(except)).toArray(SocketWriter[]::new);
            if (loop.getKey() != null) {
                loop.getKey().post(frame, to);
            } else {
                for (SocketWriter writer : to) {
                    writer.write(frame);
                }
            }
        }
        if (event instanceof Shout) {
            deliveries.increment(size());
        }
    }

    /**
     * Adds a member that holds its live events until {@link #goLive}.
     *
     * @return the shouts in memory as the member joins, or null when the room is closed
     */
    synchronized RoomMemory.Snapshot join(Member member) {
        if (closed) {
            return null;
        }
        joining.add(member);
        presence.joined(member.speaker, member.joinedAt);
        return memory.snapshot();
    }

    /** The first shout held for a joining member: where its history must end. Null when none is yet. */
    synchronized UUID firstHeld(Member member) {
        return member.firstHeld();
    }

    /**
     * Sends the member its history, then the events it held back meanwhile, if the history was cut where it had to be.
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
        member.goLive(history, presence.told(json));
        joining.remove(member);
        live.add(member);
        SocketWriter[] loop = writers.getOrDefault(member.outbox, new SocketWriter[0]);
        SocketWriter[] grown = Arrays.copyOf(loop, loop.length + 1);
        grown[loop.length] = member.writer;
        writers.put(member.outbox, grown);
        return true;
    }

    /** @return true when the room is now closed and must leave the registry */
    synchronized boolean leave(Member member) {
        if (member.left()) {
            presence.left(member.speaker, member.joinedAt);
        }
        if (!joining.remove(member) && live.remove(member)) {
            SocketWriter[] loop = writers.get(member.outbox);
            int at = loop == null ? -1 : Arrays.asList(loop).indexOf(member.writer);
            if (at >= 0) {
                SocketWriter[] shrunk = new SocketWriter[loop.length - 1];
                System.arraycopy(loop, 0, shrunk, 0, at);
                System.arraycopy(loop, at + 1, shrunk, at, loop.length - at - 1);
                if (shrunk.length == 0) {
                    writers.remove(member.outbox);
                } else {
                    writers.put(member.outbox, shrunk);
                }
            }
        }
        return closeIfIdle();
    }

    /** The shout is stored, or will never be: history finds it in PostgreSQL, or not at all. */
    synchronized boolean settled(UUID id) {
        memory.settled(id);
        return closeIfIdle();
    }

    synchronized boolean closed() {
        return closed;
    }

    private boolean closeIfIdle() {
        closed = size() == 0 && !memory.owes();
        return closed;
    }
}
