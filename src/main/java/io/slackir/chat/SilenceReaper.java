package io.slackir.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.slackir.SlackirConfig;
import io.vertx.core.Vertx;

/**
 * Every few seconds, closes the connections whose peer has been silent for {@code slackir.limits.idle-timeout}: no
 * frame, not even a pong to the server's pings. Its peer is gone, and a connection nobody reads must not hold a place.
 */
@ApplicationScoped
class SilenceReaper {

    private static final Logger LOG = Logger.getLogger(SilenceReaper.class);
    private static final CloseReason SILENT = new CloseReason(1001, "gone: no answer to pings");

    private final Rooms rooms;
    private final SlackirConfig.Limits limits;
    private long timer = -1;

    SilenceReaper(Rooms rooms, SlackirConfig config) {
        this.rooms = rooms;
        this.limits = config.limits();
    }

    void start(@Observes StartupEvent started, Vertx vertx) {
        long every = Math.max(1000, limits.idleTimeout().toMillis() / 5);
        timer = vertx.setPeriodic(every, id -> reap());
    }

    private void reap() {
        long now = System.nanoTime();
        long limit = limits.idleTimeout().toNanos();
        for (Room room : rooms.all()) {
            for (Member member : room.members()) {
                if (member.silentNanos(now) > limit && !member.closing()) {
                    LOG.debugf("Closing connection %s of room %s: silent for %s", member.connection.id(), room.name,
                            limits.idleTimeout());
                    member.close(SILENT);
                }
            }
        }
    }

    /** Vert.x outlives the application in dev mode's live reload: the timer must not. */
    void stop(@Observes ShutdownEvent stopping, Vertx vertx) {
        vertx.cancelTimer(timer);
    }
}
