package io.slackir.chat;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.slackir.chat.nodes.Cluster;
import io.slackir.chat.presence.NodePresence;
import io.slackir.chat.protocol.RoomEvent;
import io.slackir.chat.protocol.Shout;
import io.slackir.conversations.Message;
import io.vertx.core.Vertx;

/**
 * What other nodes send this node's rooms: their events, delivered to the room's members here; and when the link comes
 * back after an outage, the shouts they stored meanwhile, read back from PostgreSQL.
 */
@ApplicationScoped
class ClusterFeed implements Cluster.Listener {

    private static final Logger LOG = Logger.getLogger(ClusterFeed.class);

    private final Rooms rooms;
    private final Presences presences;
    private final Vertx vertx;

    ClusterFeed(Rooms rooms, Presences presences, Vertx vertx) {
        this.rooms = rooms;
        this.presences = presences;
        this.vertx = vertx;
    }

    @Override
    public void relay(RoomEvent event, byte[] frame) {
        Room room = rooms.get(event.room());
        if (room == null) {
            return;
        }
        if (event instanceof NodePresence theirs) {
            presences.remote(room, theirs);
        } else {
            room.relay(event, frame);
        }
    }

    @Override
    public boolean wants(String name) {
        return rooms.get(name) != null;
    }

    @Override
    public Collection<String> open() {
        return rooms.names();
    }

    @Override
    public void subscribed(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return;
        }
        presences.subscribed(room);
        Instant missing = room.memory.missingSince();
        if (missing == null) {
            room.memory.trust();
        } else {
            vertx.executeBlocking(() -> fillGap(room, missing), false);
        }
    }

    @Override
    public void lost() {
        rooms.all().forEach(room -> room.memory.distrust());
    }

    /**
     * Delivers what other nodes said in a room while this node did not receive its channel: the room's shouts stored
     * since a little before then (clocks of nodes differ), those its members have not had. They come late, each once;
     * their ids say where they belong. A shout still waiting to be stored on its node is not among them: that node
     * publishes it again once Redis is back, or a client pages it (docs/contract-notes.md, "Several nodes").
     */
    private Void fillGap(Room room, Instant since) {
        try {
            UUID from = Shout.idAt(since.minus(History.CLOCK_SKEW));
            List<Shout> stored = QuarkusTransaction.requiringNew()
                    .call(() -> Message.page(room.name, from, null, History.AFTER_MAX).stream().map(Shout::of)
                            .toList());
            int filled = 0;
            for (Shout shout : stored) {
                if (room.relay(shout, rooms.encode(shout))) {
                    filled++;
                }
            }
            room.memory.trust();
            if (filled > 0) {
                LOG.infof("Room %s: %d shout(s) of other nodes, said while Redis was out of reach, read back from the"
                        + " database", room.name, filled);
            }
        } catch (RuntimeException e) {
            // The room stays untrusted: joins and reconnects read the database
            LOG.warnf("Could not read back what room %s missed from other nodes: %s", room.name, e.toString());
        }
        return null;
    }
}
