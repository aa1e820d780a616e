package io.slackir.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A connection in a room: what it may send ({@link Throttle}), when it was last heard from, and whether it is closing.
 * Frames reach it through its {@link SocketWriter}. Until its history is sent, the events delivered to it wait here
 * (guarded by its room).
 */
final class Member {

    private static final Logger LOG = Logger.getLogger(Member.class);
    /** Closed for not reading what it is sent: try again later. */
    static final CloseReason TOO_SLOW = new CloseReason(1013, "too slow: frames are not being read");

    private record Held(RoomEvent event, ByteBuf frame) {
    }

    final WebSocketConnection connection;
    /** Who it speaks as, or null: it gave no name. */
    final Speaker speaker;
    /** When it joined: presence says since when someone is here. */
    final Instant joinedAt = Instant.now();
    final Throttle throttle;
    final SocketWriter writer;
    /** Set once the connection is closed or being closed: nothing more is read from it or written to it. */
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean gone = new AtomicBoolean();
    private volatile long lastHeard = System.nanoTime();
    /** Events delivered while the history was being read; null once live. */
    private List<Held> held = new ArrayList<>();

    Member(WebSocketConnection connection, Speaker speaker, Throttle throttle, long sendBuffer) {
        this.connection = connection;
        this.speaker = speaker;
        this.throttle = throttle;
        this.writer = new SocketWriter(this, sendBuffer);
    }

    /** An event delivered to the room: held until the history is sent, then queued like any frame. */
    void deliver(RoomEvent event, ByteBuf frame) {
        if (held != null) {
            if (!(event instanceof PresenceChange)) {
                // A presence diff is in the presence frame that follows the history: it would only repeat it
                held.add(new Held(event, frame));
            }
        } else {
            writer.send(frame);
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
            writer.send(h.frame());
        }
        held = null;
    }

    /** Queues a frame to this connection alone. */
    void send(String frame) {
        writer.send(Outbox.frame(frame));
    }

    /**
     * Closes the connection, once: frames it still sends are dropped unread, nothing more is written to it, and a
     * second close (of a connection a flood keeps sending on) says nothing.
     */
    void close(CloseReason reason) {
        if (closing.compareAndSet(false, true)) {
            connection.close(reason).subscribe().with(closed -> {
            }, failure -> LOG.debugf("Could not close %s: %s", connection.id(), failure));
        }
    }

    /** The connection closed: nothing more is written to it. @return false when it had left already */
    boolean left() {
        closing.set(true);
        return !gone.getAndSet(true);
    }

    boolean closing() {
        return closing.get();
    }

    /** The peer sent something (a frame or a pong): it is alive. */
    void heard() {
        lastHeard = System.nanoTime();
    }

    long silentNanos(long now) {
        return now - lastHeard;
    }

    /** Writes without waiting, to a connection that is no member (yet). */
    static void send(WebSocketConnection connection, String frame) {
        connection.sendText(frame).subscribe().with(
                sent -> {
                },
                failure -> LOG.debugf("Could not send to %s: %s", connection.id(), failure));
    }
}
