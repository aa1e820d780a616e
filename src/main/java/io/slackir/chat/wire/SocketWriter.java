package io.slackir.chat.wire;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.quarkus.websockets.next.runtime.WebSocketConnectionBase;
import io.vertx.core.http.impl.WebSocketInternal;

/**
 * How frames reach one connection, in order, and whether it is closing. With the {@code direct} writer
 * ({@code slackir.delivery.writer}), straight to its Netty channel, on its event loop (where an {@code Outbox} batches
 * them); with {@code websockets-next}, through websockets-next's {@code sendText}. A connection whose peer lets
 * {@code send-buffer} bytes pile up unread is closed instead, so it neither grows memory nor slows its room.
 */
// The native image keeps what the writer reaches by reflection
@RegisterForReflection(classNames = {"io.quarkus.websockets.next.runtime.WebSocketConnectionBase",
        "io.vertx.ext.web.impl.ServerWebSocketWrapper"}, methods = true, fields = true)
public final class SocketWriter {

    private static final Logger LOG = Logger.getLogger(SocketWriter.class);

    /** Closed for not reading what it is sent: try again later. */
    public static final CloseReason TOO_SLOW = new CloseReason(1013, "too slow: frames are not being read");

    /**
     * websockets-next keeps the Vert.x socket behind a package-private accessor. Frames written straight to its Netty
     * channel skip, per receiver, a Uni, a captured context, a task hop and a flush: a broadcast's cost. Null when this
     * Quarkus hides it otherwise: then frames go through websockets-next's {@code sendText}, one at a time.
     */
    private static final Method WEB_SOCKET = webSocketAccessor();
    /** The socket inside Vert.x Web's {@code ServerWebSocketWrapper}, or null. */
    private static final Field WRAPPER = wrappedSocket();

    private final WebSocketConnection connection;
    /** The event loop that writes to this connection; null when written through websockets-next. */
    private final EventExecutor loop;
    private final ChannelHandlerContext context;
    /**
     * The WebSocket encoder's place in the pipeline, where frames encoded here enter it; null when a handler above the
     * encoder must see each frame (a compressing extension): then frames are Netty's, encoded per connection.
     */
    private final ChannelHandlerContext wire;
    private final Channel channel;
    private final VoidChannelPromise noPromise;
    private final long sendBuffer;
    /** Set once the connection is closed or being closed: nothing more is written to it. */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Written to in the event loop's current batch: flushed at its end. Touched on the event loop only. */
    private boolean unflushed;

    /**
     * @param direct whether to write straight to the channel when it can be reached ({@code slackir.delivery.writer})
     */
    public SocketWriter(WebSocketConnection connection, long sendBuffer, boolean direct) {
        this.connection = connection;
        this.sendBuffer = sendBuffer;
        this.context = direct ? channelContext(connection) : null;
        this.channel = context == null ? null : context.channel();
        this.wire = channel == null ? null : wireContext(channel.pipeline(), context);
        this.noPromise = channel == null ? null : new VoidChannelPromise(channel, false);
        this.loop = context == null ? null : context.executor();
    }

    /** The connection written to. */
    public WebSocketConnection connection() {
        return connection;
    }

    /** The event loop to write to this connection on; null when frames go through websockets-next, from anywhere. */
    public EventExecutor loop() {
        return loop;
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
            // Vert.x Web hands websockets-next its wrapper of the socket: unwrap it
            if (socket != null && WRAPPER != null && WRAPPER.getDeclaringClass().isInstance(socket)) {
                socket = WRAPPER.get(socket);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Frames to %s go through websockets-next: %s", connection.id(), e);
            return null;
        }
        if (socket instanceof WebSocketInternal internal) {
            return internal.channelHandlerContext();
        }
        LOG.warnf("Frames to %s go through websockets-next: its socket is a %s", connection.id(), socket);
        return null;
    }

    /**
     * The encoder's context when the handlers between it and Vert.x's handler may be skipped: ones that only read, and
     * the idle timer (which reads alone keep from firing: the pongs to the 30 s pings, or the idle timeout closes the
     * connection first). Frames written below it are bytes, as the encoder would have made them: a server's frames
     * are not masked, so one encoding serves every connection.
     */
    public static ChannelHandlerContext wireContext(ChannelPipeline pipeline, ChannelHandlerContext handler) {
        ChannelHandlerContext encoder = null;
        for (var entry : pipeline) {
            ChannelHandler h = entry.getValue();
            if (h == handler.handler()) {
                return encoder;
            }
            if (h instanceof WebSocketFrameEncoder) {
                encoder = pipeline.context(h);
            } else if (encoder != null && h instanceof ChannelOutboundHandler && !(h instanceof IdleStateHandler)) {
                return null;
            }
        }
        return null;
    }

    /**
     * Writes a frame, on {@link #loop} (or from anywhere through websockets-next when the channel is out of reach);
     * nothing once the connection is closing.
     *
     * @return true when this is the first frame written since the last {@link #flush}
     */
    public boolean write(ByteBuf frame) {
        if (closing.get()) {
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
            LOG.infof("Closing connection %s of room %s: %d bytes wait to be read", connection.id(),
                    connection.pathParam("room"), pending.totalPendingWriteBytes());
            close(TOO_SLOW);
            return false;
        }
        if (wire != null) {
            wire.write(WebSocketWire.encode(frame, wire.alloc()), noPromise);
        } else {
            context.write(new TextWebSocketFrame(frame.duplicate()), noPromise);
        }
        boolean first = !unflushed;
        unflushed = true;
        return first;
    }

    void flush() {
        unflushed = false;
        (wire != null ? wire : context).flush();
    }

    /**
     * Closes the connection, once: nothing more is written to it, and a second close (of a connection a flood keeps
     * sending on) says nothing.
     */
    public void close(CloseReason reason) {
        if (closing.compareAndSet(false, true)) {
            connection.close(reason).subscribe().with(closed -> {
            }, failure -> LOG.debugf("Could not close %s: %s", connection.id(), failure));
        }
    }

    /** The connection closed: nothing more is written to it. */
    public void closed() {
        closing.set(true);
    }

    public boolean closing() {
        return closing.get();
    }

    /** Writes without waiting, to a connection that has no writer (yet). */
    public static void send(WebSocketConnection connection, String frame) {
        connection.sendText(frame).subscribe().with(
                sent -> {
                },
                failure -> LOG.debugf("Could not send to %s: %s", connection.id(), failure));
    }
}
