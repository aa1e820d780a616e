package io.slackir.chat.nodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.RawValue;

import io.slackir.chat.presence.NodePresence;
import io.slackir.chat.protocol.Ephemeral;
import io.slackir.chat.protocol.RoomEvent;
import io.slackir.chat.protocol.Shout;
import io.slackir.chat.protocol.ShoutFrame;
import io.vertx.core.buffer.Buffer;

/**
 * How a room event crosses to other nodes: {@code {node}\n{type}\n{frame}}, the frame being the very bytes this node's
 * own connections got, so an event is serialized once in the whole cluster. The receiving node skips what it published
 * itself, rebuilds a {@link Shout} (it is remembered there too) and a {@link NodePresence} (for it, not its
 * connections), and passes any other type on as it came.
 * <p>
 * A message of a node older than this envelope, {@code {node}\n{shout frame}}, is read as a shout.
 */
final class Envelope {

    /** What a type may look like: a receiver must not pass on anything its clients would not parse. */
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z_]{0,31}");
    /** Where the header ends at the latest. */
    private static final int HEADER_MAX = 256;

    private final byte[] nodeTag;
    private final ObjectMapper json;

    Envelope(String node, ObjectMapper json) {
        this.nodeTag = (node + "\n").getBytes(StandardCharsets.UTF_8);
        this.json = json;
    }

    /** An event this node publishes, with its frame as serialized for this node's connections. */
    Buffer wrap(RoomEvent event, byte[] frame) {
        byte[] type = event.type().getBytes(StandardCharsets.US_ASCII);
        return Buffer.buffer(nodeTag.length + type.length + 1 + frame.length)
                .appendBytes(nodeTag).appendBytes(type).appendByte((byte) '\n').appendBytes(frame);
    }

    /** An event and its frame, as another node published them. */
    record Received(RoomEvent event, byte[] frame) {
    }

    /**
     * The event another node published in a room.
     *
     * @return null when this node published it itself
     * @throws IllegalArgumentException when it is not an envelope of a well-formed event of that room
     */
    Received open(String room, byte[] payload) {
        int node = indexOf(payload, 0);
        if (node < 0) {
            throw new IllegalArgumentException("no node id");
        }
        if (node == nodeTag.length - 1 && startsWith(payload, nodeTag)) {
            return null; // our own: delivered here when it happened
        }
        int typeEnd = payload.length > node + 1 && payload[node + 1] == '{' ? -1 : indexOf(payload, node + 1);
        String type = typeEnd < 0 ? Shout.TYPE
                : new String(payload, node + 1, typeEnd - node - 1, StandardCharsets.US_ASCII);
        int from = typeEnd < 0 ? node + 1 : typeEnd + 1;
        byte[] frame = new byte[payload.length - from];
        System.arraycopy(payload, from, frame, 0, frame.length);
        if (Shout.TYPE.equals(type)) {
            return new Received(shout(room, frame), frame);
        }
        if (NodePresence.TYPE.equals(type)) {
            String sender = new String(payload, 0, node, StandardCharsets.UTF_8);
            return new Received(nodePresence(room, sender, frame), frame);
        }
        if (!TYPE.matcher(type).matches() || frame.length == 0 || frame[0] != '{') {
            throw new IllegalArgumentException("not an event: " + type);
        }
        return new Received(new Relayed(room, type, frame), frame);
    }

    private Shout shout(String room, byte[] frame) {
        ShoutFrame shout;
        try {
            shout = json.readValue(frame, ShoutFrame.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a shout frame: " + e.getMessage(), e);
        }
        if (shout.id() == null || !room.equals(shout.room())) {
            throw new IllegalArgumentException("a shout of another room, or without an id");
        }
        return new Shout(shout.id(), shout.room(), shout.name(), shout.message(), shout.insertedAt());
    }

    private NodePresence nodePresence(String room, String node, byte[] frame) {
        NodePresence.Frame presence;
        try {
            presence = json.readValue(frame, NodePresence.Frame.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a node's presence: " + e.getMessage(), e);
        }
        if (!room.equals(presence.room()) || presence.members() == null || presence.unnamed() < 0
                || presence.members().stream().anyMatch(m -> m.key() == null || m.name() == null
                        || m.since() == null || m.connections() < 1)) {
            throw new IllegalArgumentException("a node's presence of another room, or incomplete");
        }
        return NodePresence.of(node, presence);
    }

    /**
     * An ephemeral event of another node, passed on as it came: this node needs to know of it only that it is not
     * remembered.
     */
    record Relayed(String room, String type, byte[] bytes) implements Ephemeral {
        @Override
        public RawValue frame() {
            return new RawValue(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length && i < from + HEADER_MAX; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
