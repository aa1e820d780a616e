package io.slackir.chat.nodes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.impl.types.ErrorType;

/**
 * What this node publishes to Redis, in order: pipelined with at most {@link RedisLink#IN_FLIGHT_MAX} unanswered,
 * held (up to {@code hold-max}) while the publishing connection is down, and what a broken connection left unanswered
 * sent again first on the next one (receivers drop what they had).
 */
final class Publisher {

    private static final Logger LOG = Logger.getLogger(Publisher.class);
    private static final int IN_FLIGHT_MAX = RedisLink.IN_FLIGHT_MAX;

    private record Outgoing(String channel, Buffer payload) {
    }

    private final int holdMax;
    private final Counter published;
    private final Counter droppedCounter;
    private Context context;
    private RedisLink.Connection connection;

    /** To publish, from any thread, in the order they came per room. */
    private final Queue<Outgoing> outgoing = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    // Touched on the context only
    private int inFlight;
    /** Published, not answered, in order: sent again if the connection breaks first. */
    private final ArrayDeque<Outgoing> unanswered = new ArrayDeque<>();

    Publisher(int holdMax, MeterRegistry registry) {
        this.holdMax = holdMax;
        this.published = registry.counter("slackir.cluster.published");
        this.droppedCounter = registry.counter("slackir.cluster.publish.dropped");
    }

    /** The context everything happens on, and the connection to publish on. */
    void attach(Context context, RedisLink.Connection connection) {
        this.context = context;
        this.connection = connection;
    }

    /** Queues a message to publish on a channel; never blocks. Held while the connection is down. */
    void publish(String channel, Buffer payload) {
        if (waiting.incrementAndGet() > holdMax) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            droppedCounter.increment();
            return;
        }
        outgoing.offer(new Outgoing(channel, payload));
        if (context != null && draining.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    /** On the context: sends what waits, keeping at most {@link #IN_FLIGHT_MAX} unanswered. */
    private void drain() {
        draining.set(false);
        if (connection.current == null) {
            return; // held until the publisher is back
        }
        Outgoing next;
        while (inFlight < IN_FLIGHT_MAX && (next = outgoing.poll()) != null) {
            send(next);
        }
        if (!outgoing.isEmpty() && inFlight < IN_FLIGHT_MAX && draining.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    private void send(Outgoing message) {
        RedisConnection sentOn = connection.current;
        inFlight++;
        unanswered.addLast(message);
        sentOn.send(Request.cmd(Command.PUBLISH).arg(message.channel()).arg(message.payload())).onComplete(done -> {
            if (sentOn != connection.current) {
                return; // that connection broke: what it left unanswered is sent again on the next one
            }
            if (done.failed() && !(done.cause() instanceof ErrorType)) {
                // The connection fails; its unanswered messages go first on the next one
                connection.lost(sentOn);
                return;
            }
            inFlight--;
            unanswered.pollFirst();
            waiting.decrementAndGet();
            if (done.succeeded()) {
                published.increment();
            } else {
                // Redis refused it (out of memory, an ACL): sending it again would loop
                dropped.incrementAndGet();
                droppedCounter.increment();
                LOG.debugf("Redis refused to publish an event on %s: %s", message.channel(), done.cause());
            }
            if (inFlight < IN_FLIGHT_MAX / 2 && !outgoing.isEmpty() && draining.compareAndSet(false, true)) {
                context.runOnContext(v -> drain());
            }
        });
    }

    /** On the context, once the publishing connection is (again) up. */
    void up(RedisConnection made) {
        // What a broken connection left unanswered goes first, in order (the queue takes no insertion in front)
        if (!unanswered.isEmpty()) {
            List<Outgoing> again = new ArrayList<>(unanswered);
            unanswered.clear();
            Outgoing next;
            while ((next = outgoing.poll()) != null) {
                again.add(next);
            }
            again.forEach(outgoing::offer);
        }
        inFlight = 0;
        drain();
    }

    /** Waiting to be published, held or in flight. */
    int waiting() {
        return waiting.get();
    }

    /** Not published since start: over {@code hold-max}, or refused by Redis. */
    long dropped() {
        return dropped.get();
    }
}
