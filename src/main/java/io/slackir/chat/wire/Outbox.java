package io.slackir.chat.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;

/**
 * What waits to be written to the connections of one event loop, written there in batches: one task per batch, not
 * one per frame and connection, and one flush per connection per batch. A room event reaches a room as one entry per
 * event loop, holding its frame encoded once and the connections to write it to; under load, frames pile up between
 * batches and each connection gets several in one write.
 */
public final class Outbox {

    /** One frame for some connections, in the order posted. */
    private record Delivery(ByteBuf frame, SocketWriter[] to) {
    }

    /** How many deliveries a batch writes before it flushes and lets the event loop serve its sockets. */
    private static final int BATCH = 64;

    /** One per event loop: a connection is served by one event loop for its whole life. */
    private static final ConcurrentHashMap<EventExecutor, Outbox> OUTBOXES = new ConcurrentHashMap<>();

    private final EventExecutor loop;
    private final Queue<Delivery> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Connections written to in this batch: flushed at its end. Touched on the event loop only. */
    private final List<SocketWriter> written = new ArrayList<>();
    private final Runnable drain = this::drain;

    private Outbox(EventExecutor loop) {
        this.loop = loop;
    }

    /** The outbox of the writer's event loop; null when the writer writes through websockets-next. */
    public static Outbox of(SocketWriter writer) {
        return writer.loop() == null ? null : OUTBOXES.computeIfAbsent(writer.loop(), Outbox::new);
    }

    /** A text frame, encoded once, that any number of connections can write: each gets a view of the same bytes. */
    public static ByteBuf frame(byte[] utf8) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(utf8));
    }

    public static ByteBuf frame(String text) {
        return frame(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Queues a frame for these connections (all of this event loop); thread-safe, never blocks. */
    public void post(ByteBuf frame, SocketWriter... to) {
        queue.offer(new Delivery(frame, to));
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        Delivery delivery = queue.poll();
        if (delivery == null) {
            return;
        }
        // One frame waiting goes to each connection at once, the first while the others are still being written;
        // several go to each connection in one write
        boolean alone = queue.isEmpty();
        int n = 1;
        do {
            for (SocketWriter writer : delivery.to()) {
                if (writer.write(delivery.frame())) {
                    if (alone) {
                        writer.flush();
                    } else {
                        written.add(writer);
                    }
                }
            }
        } while (!alone && n++ < BATCH && (delivery = queue.poll()) != null);
        for (SocketWriter writer : written) {
            writer.flush();
        }
        written.clear();
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            loop.execute(drain);
        }
    }
}
