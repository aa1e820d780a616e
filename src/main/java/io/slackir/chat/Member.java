package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.quarkus.websockets.next.WebSocketConnection;

/** A connection in a room. Until its history is sent, the shouts broadcast to it wait here. Guarded by its room. */
final class Member {

    private static final Logger LOG = Logger.getLogger(Member.class);

    private record Held(UUID id, String frame) {
    }

    final WebSocketConnection connection;
    /** Shouts broadcast while the history was being read; null once live. */
    private List<Held> held = new ArrayList<>();

    Member(WebSocketConnection connection) {
        this.connection = connection;
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

    void send(String frame) {
        send(connection, frame);
    }

    /** Writes without waiting: a peer that went away is the close handler's business, not the sender's. */
    static void send(WebSocketConnection connection, String frame) {
        connection.sendText(frame).subscribe().with(
                sent -> {
                },
                failure -> LOG.debugf("Could not send to %s: %s", connection.id(), failure));
    }
}
