package io.slackir.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.slackir.chat.presence.PresenceChange;
import io.slackir.chat.protocol.RoomEvent;
import io.slackir.chat.protocol.Shout;
import io.slackir.chat.protocol.Speaker;
import io.slackir.chat.wire.Outbox;
import io.slackir.chat.wire.SocketWriter;

/**
 * A connection in a room: who it speaks as, what it may send ({@link Throttle}), and when it was last heard from.
 * Frames reach it through its {@link SocketWriter}, which knows whether it is closing. Until its history is sent, the
 * events delivered to it wait here (guarded by its room).
 */
final class Member {

    private record Held(RoomEvent event, ByteBuf frame) {
    }

    final WebSocketConnection connection;
    /** Who it speaks as, or null: it gave no name. */
    final Speaker speaker;
    /** When it joined: presence says since when someone is here. */
    final Instant joinedAt = Instant.now();
    final Throttle throttle;
    final SocketWriter writer;
    /** Its event loop's outbox, where every frame to it is queued; null when written through websockets-next. */
    final Outbox outbox;
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile long lastHeard = System.nanoTime();
    /** Events delivered while the history was being read; null once live. */
    private List<Held> held = new ArrayList<>();

    Member(SocketWriter writer, Speaker speaker, Throttle throttle) {
        this.connection = writer.connection();
        this.speaker = speaker;
        this.throttle = throttle;
        this.writer = writer;
        this.outbox = Outbox.of(writer);
    }

    /** An event delivered to the room: held until the history is sent, then queued like any frame. */
    void deliver(RoomEvent event, ByteBuf frame) {
        if (held != null) {
            if (!(event instanceof PresenceChange)) {
                // A presence diff is in the presence frame that follows the history: it would only repeat it
                held.add(new Held(event, frame));
            }
        } else {
            queue(frame);
        }
    }

    /** The first shout delivered since this member joined, or null when none has been (or it is live). */
    UUID firstHeld() {
        if (held != null) {
            for (Held h : held) {
                if (h.event() instanceof Shout shout) {
                    return shout.id();
                }
            }
        }
        return null;
    }

    /**
     * Sends the history and who is here, then every event held meanwhile: they are all newer than anything the history
     * shows.
     */
    void goLive(String history, String presence) {
        send(history);
        send(presence);
        for (Held h : held) {
            queue(h.frame());
        }
        held = null;
    }

    /** Queues a frame to this connection alone. */
    void send(String frame) {
        queue(Outbox.frame(frame));
    }

    /** After every frame queued to this connection before. Never waits. */
    private void queue(ByteBuf frame) {
        if (outbox != null) {
            outbox.post(frame, writer);
        } else {
            writer.write(frame);
        }
    }

    /**
     * Closes the connection, once: frames it still sends are dropped unread, nothing more is written to it, and a
     * second close (of a connection a flood keeps sending on) says nothing.
     */
    void close(CloseReason reason) {
        writer.close(reason);
    }

    /** The connection closed: nothing more is written to it. @return false when it had left already */
    boolean left() {
        writer.closed();
        return !gone.getAndSet(true);
    }

    boolean closing() {
        return writer.closing();
    }

    /** The peer sent something (a frame or a pong): it is alive. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    long silentNanos(long now) {
        return now - lastHeard;
    }
}
