package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * A connection in a room: its throttle, what is queued for it, when it was last heard from. Until its history is sent,
 * the shouts broadcast to it wait here (guarded by its room).
 */
final class Member {

    private static final Logger LOG = Logger.getLogger(Member.class);
    /** Closed for not reading what it is sent: try again later. */
    static final CloseReason TOO_SLOW = new CloseReason(1013, "too slow: frames are not being read");

    private record Held(UUID id, String frame) {
    }

    final WebSocketConnection connection;
    final Throttle throttle;
    private final long sendBuffer;
    /** Characters written to the connection and not yet taken by the network: a client that does not read grows it. */
    private final AtomicLong queued = new AtomicLong();
    private volatile boolean dropped;
    private volatile long lastHeard = System.nanoTime();
    /** Shouts broadcast while the history was being read; null once live. */
    private List<Held> held = new ArrayList<>();

    Member(WebSocketConnection connection, Throttle throttle, long sendBuffer) {
        this.connection = connection;
        this.throttle = throttle;
        this.sendBuffer = sendBuffer;
    }

    void deliver(UUID id, String frame) {
        if (held != null) {
            held.add(new Held(id, frame));
        } else {
            send(frame);
        }
    }

    /** The first shout broadcast since this member joined, or null when none has been (or it is live). */
    UUID firstHeld() {
        return held == null || held.isEmpty() ? null : held.getFirst().id();
    }

    /** Sends the history, then every shout held meanwhile: they are all newer than anything the history shows. */
    void goLive(String history) {
        send(history);
        for (Held h : held) {
            send(h.frame());
        }
        held = null;
    }

    /**
     * Writes without waiting. What the network has not taken yet is counted: past the send buffer the connection is
     * closed rather than queued for without end, and its room goes on without it.
     */
    void send(String frame) {
        if (dropped) {
            return;
        }
        int size = frame.length();
        // A frame of any size goes to a reader that keeps up; one that has let the buffer fill is dropped
        if (queued.getAndAdd(size) > sendBuffer) {
            dropped = true;
            LOG.infof("Closing connection %s of room %s: %d characters wait to be read", connection.id(),
                    connection.pathParam("room"), queued.get());
            connection.close(TOO_SLOW).subscribe().with(closed -> {
            }, failure -> LOG.debugf("Could not close %s: %s", connection.id(), failure));
            return;
        }
        connection.sendText(frame).subscribe().with(
                sent -> queued.addAndGet(-size),
                failure -> {
                    queued.addAndGet(-size);
                    LOG.debugf("Could not send to %s: %s", connection.id(), failure);
                });
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
