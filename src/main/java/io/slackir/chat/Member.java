package io.slackir.chat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.quarkus.websockets.next.runtime.WebSocketConnectionBase;
import io.vertx.core.http.impl.WebSocketInternal;

/**
 * A connection in a room: its throttle, when it was last heard from, and the way frames reach it. Every frame goes
 * through its event loop's {@link Outbox}, in order. Until its history is sent, the shouts broadcast to it wait here
 * (guarded by its room).
 */
// The native image keeps what Member reaches by reflection
@RegisterForReflection(classNames = {"io.quarkus.websockets.next.runtime.WebSocketConnectionBase",
        "io.vertx.ext.web.impl.ServerWebSocketWrapper"}, methods = true, fields = true)
final class Member {

    private static final Logger LOG = Logger.getLogger(Member.class);
    /** Closed for not reading what it is sent: try again later. */
    static final CloseReason TOO_SLOW = new CloseReason(1013, "too slow: frames are not being read");

    /**
     * websockets-next keeps the Vert.x socket behind a package-private accessor. Frames written straight to its Netty
     * channel skip, per receiver, a Uni, a captured context, a task hop and a flush: a broadcast's cost. Null when this
     * Quarkus hides it otherwise: then frames go through websockets-next's {@code sendText}, one at a time.
     */
    private static final Method WEB_SOCKET = webSocketAccessor();
    /** The socket inside Vert.x Web's {@code ServerWebSocketWrapper}, or null. */
    private static final Field WRAPPER = wrappedSocket();

    private record Held(UUID id, ByteBuf frame) {
    }

    final WebSocketConnection connection;
    final Throttle throttle;
    /** Where frames to this connection are queued: its event loop's; null when written through websockets-next. */
    final Outbox outbox;
    private final ChannelHandlerContext context;
    private final Channel channel;
    private final VoidChannelPromise noPromise;
    private final long sendBuffer;
    private volatile boolean dropped;
    /** Written to in the event loop's current batch: flushed at its end. Touched on the event loop only. */
    private boolean unflushed;
    private volatile long lastHeard = System.nanoTime();
    /** Shouts broadcast while the history was being read; null once live. */
    private List<Held> held = new ArrayList<>();

    Member(WebSocketConnection connection, Throttle throttle, long sendBuffer) {
        this.connection = connection;
        this.throttle = throttle;
        this.sendBuffer = sendBuffer;
        this.context = channelContext(connection);
        this.channel = context == null ? null : context.channel();
        this.noPromise = channel == null ? null : new VoidChannelPromise(channel, false);
        this.outbox = context == null ? null : Outbox.of(context.executor());
    }

    private static Method webSocketAccessor() {
        try {
            Method accessor = WebSocketConnectionBase.class.getDeclaredMethod("webSocket");
            accessor.setAccessible(true);
            return accessor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Frames go through websockets-next one by one: its Vert.x socket is out of reach (%s)", e);
            return null;
        }
    }

    private static Field wrappedSocket() {
        try {
            Field delegate = Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper").getDeclaredField("delegate");
            delegate.setAccessible(true);
            return delegate;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static ChannelHandlerContext channelContext(WebSocketConnection connection) {
        if (WEB_SOCKET == null) {
            return null;
        }
        Object socket;
        try {
            socket = WEB_SOCKET.invoke(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Frames to %s go through websockets-next: %s", connection.id(), e);
            return null;
        }
        // Vert.x Web hands websockets-next its wrapper of the socket: unwrap it
        if (socket != null && WRAPPER != null && WRAPPER.getDeclaringClass().isInstance(socket)) {
            try {
                socket = WRAPPER.get(socket);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warnf("Frames to %s go through websockets-next: %s", connection.id(), e);
                return null;
            }
        }
        if (socket instanceof WebSocketInternal internal) {
            return internal.channelHandlerContext();
        }
        LOG.warnf("Frames to %s go through websockets-next: its socket is a %s", connection.id(), socket);
        return null;
    }

    /** A shout broadcast to the room: held until the history is sent, then queued like any frame. */
    void deliver(UUID id, ByteBuf frame) {
        if (held != null) {
            held.add(new Held(id, frame));
        } else {
            send(frame);
        }
    }

    /** Whether the member is live: it had its history and takes broadcasts straight from the room. */
    boolean live() {
        return held == null;
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
        send(Outbox.frame(frame));
    }

    /** Queues a frame to this connection alone, after every frame queued before. Never waits. */
    void send(ByteBuf frame) {
        if (outbox != null) {
            outbox.post(frame, this);
        } else {
            write(frame);
        }
    }

    /**
     * Writes a frame, on the event loop (or through websockets-next when the channel is out of reach). A connection
     * whose peer has let {@code send-buffer} bytes pile up unread is closed instead, so it neither grows memory nor
     * slows its room.
     *
     * @return true when this is the first frame written since the last {@link #flush}
     */
    boolean write(ByteBuf frame) {
        if (dropped) {
            return false;
        }
        if (channel == null) {
            connection.sendText(frame.toString(StandardCharsets.UTF_8)).subscribe().with(sent -> {
            }, failure -> LOG.debugf("Could not send to %s: %s", connection.id(), failure));
            return false;
        }
        if (!channel.isActive()) {
            return false;
        }
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        if (pending != null && pending.totalPendingWriteBytes() > sendBuffer) {
            drop(pending.totalPendingWriteBytes());
            return false;
        }
        context.write(new TextWebSocketFrame(frame.duplicate()), noPromise);
        boolean first = !unflushed;
        unflushed = true;
        return first;
    }

    void flush() {
        unflushed = false;
        context.flush();
    }

    private void drop(long pendingBytes) {
        dropped = true;
        LOG.infof("Closing connection %s of room %s: %d bytes wait to be read", connection.id(),
                connection.pathParam("room"), pendingBytes);
        connection.close(TOO_SLOW).subscribe().with(closed -> {
        }, failure -> LOG.debugf("Could not close %s: %s", connection.id(), failure));
    }

    /** The connection closed: nothing more is written to it. */
    void left() {
        dropped = true;
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
