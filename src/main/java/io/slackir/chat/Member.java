package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

    void goLive(String history, Set<UUID> shown) {
        send(history);
        for (Held h : held) {
            if (!shown.contains(h.id())) {
                send(h.frame());
            }
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
