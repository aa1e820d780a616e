package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.buffer.Buffer;

/**
 * A room's live conversation, protocol v1 (DESIGN.md): history on join, shouts broadcast to the room, an ack once
 * stored, an error frame for whatever is refused. A bad frame is answered, never fatal to the connection.
 */
@WebSocket(path = "/chat/{room}")
public class ChatSocket {

    private static final Logger LOG = Logger.getLogger(ChatSocket.class);

    /** Closed for sending far over its rate, long after being told. */
    static final CloseReason FLOODING = new CloseReason(1008, "flooding: far over the rate limit");

    /**
     * The longest text frame read: the largest valid shout, every character escaped as a surrogate pair, is under
     * 50,000. Longer ones, up to websockets-next's max-message-size, get {@code too_large}; beyond that the socket is
     * closed with 1009 before the frame is read.
     */
    static final int FRAME_MAX = 65536;

    /** The longest {@code ref} a client may attach to a shout. */
    static final int REF_MAX = 64;

    private final Rooms rooms;
    private final Megaphone megaphone;
    private final ObjectMapper json;

    ChatSocket(Rooms rooms, Megaphone megaphone, ObjectMapper json) {
        this.rooms = rooms;
        this.megaphone = megaphone;
        this.json = json;
    }

    /** Runs on a worker thread: the history is read from the database. {@code ?after=ID} asks for what came since. */
    @OnOpen
    void join(WebSocketConnection connection) {
        String query = connection.handshakeRequest().query();
        List<String> after = query == null ? null
                : new QueryStringDecoder(query, false).parameters().get("after");
        rooms.join(connection, after == null || after.isEmpty() ? null : after.getFirst());
    }

    @OnClose
    void leave(WebSocketConnection connection) {
        rooms.leave(connection);
    }

    /**
     * On the event loop: nothing here waits (validation, a broadcast posted to the outboxes, persistence handed to its
     * own threads), and a hop to a worker thread per frame would cost more than the frame's own work.
     */
    @OnTextMessage
    @NonBlocking
    void receive(WebSocketConnection connection, String text) {
        if (!admitted(connection)) {
            return;
        }
        if (text.length() > FRAME_MAX) {
            refuse(connection, new ShoutRefused(ErrorCode.TOO_LARGE,
                    "the frame is over " + FRAME_MAX + " characters: larger than any valid shout"), null);
            return;
        }
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JacksonException e) {
            refuse(connection, new ShoutRefused(ErrorCode.MALFORMED, "the frame is not JSON"), null);
            return;
        }
        if (frame == null || !frame.isObject()) {
            refuse(connection, new ShoutRefused(ErrorCode.MALFORMED, "the frame is not a JSON object"), null);
            return;
        }
        JsonNode type = frame.get("type");
        if (type == null || !type.isTextual() || !"shout".equals(type.textValue())) {
            refuse(connection, new ShoutRefused(ErrorCode.UNKNOWN_TYPE, "type must be \"shout\""), null);
            return;
        }
        shout(connection, frame);
    }

    @OnBinaryMessage
    void receive(WebSocketConnection connection, Buffer binary) {
        if (!admitted(connection)) {
            return;
        }
        refuse(connection, new ShoutRefused(ErrorCode.MALFORMED, "binary frames are not accepted: send JSON text"),
                null);
    }

    /** A frame over max-message-size cannot be read: Netty closes the socket with 1009; nothing else to do. */
    @OnError
    void tooLarge(WebSocketConnection connection, CorruptedWebSocketFrameException e) {
        LOG.debugf("Connection %s sent a frame it could not: %s", connection.id(), e.getMessage());
        megaphone.refused(new ShoutRefused(ErrorCode.TOO_LARGE, e.getMessage()));
    }

    /** The server's pings are answered: the peer is alive, however quiet. */
    @OnPongMessage
    void pong(WebSocketConnection connection, Buffer data) {
        Member member = rooms.member(connection);
        if (member != null) {
            member.heard();
        }
    }

    /**
     * Every frame, read or not, costs a token of the connection's throttle: over the rate it is refused unread; a
     * connection that keeps on is closed.
     */
    private boolean admitted(WebSocketConnection connection) {
        Member member = rooms.member(connection);
        if (member == null) {
            return true;
        }
        member.heard();
        switch (member.throttle.take()) {
            case PASS:
                return true;
            case LIMITED:
                refuse(connection, new ShoutRefused(ErrorCode.RATE_LIMITED, "too many frames; slow down"), null);
                return false;
            default:
                megaphone.refused(new ShoutRefused(ErrorCode.RATE_LIMITED, "flooding"));
                connection.close(FLOODING).subscribe().with(closed -> {
                }, failure -> {
                });
                return false;
        }
    }

    private void shout(WebSocketConnection connection, JsonNode frame) {
        List<Frames.FieldError> errors = new ArrayList<>();
        String ref = Frames.text(frame, "ref", errors);
        if (ref != null && ref.codePointCount(0, ref.length()) > REF_MAX) {
            errors.add(new Frames.FieldError("ref", "must be at most " + REF_MAX + " characters"));
        }
        String name = Frames.text(frame, "name", errors);
        String message = Frames.text(frame, "message", errors);
        String echo = errors.stream().anyMatch(e -> e.field().equals("ref")) ? null : ref;
        if (!errors.isEmpty()) {
            refuse(connection, new ShoutRefused(ErrorCode.INVALID, "the shout is invalid", errors), echo);
            return;
        }
        Megaphone.Accepted accepted;
        try {
            accepted = megaphone.shout(connection.pathParam("room"), name, message);
        } catch (ShoutRefused refused) {
            refuse(connection, refused, echo);
            return;
        }
        accepted.stored().whenComplete((stored, failure) -> {
            if (connection.isOpen()) {
                Object reply = failure == null
                        ? new Frames.Ack(accepted.shout().id(), echo)
                        : Frames.Error.notStored(accepted.shout().id(), echo);
                send(connection, Frames.write(json, reply));
            }
        });
    }

    private void refuse(WebSocketConnection connection, ShoutRefused refused, String ref) {
        megaphone.refused(refused);
        send(connection, Frames.write(json, Frames.Error.of(refused, ref)));
    }

    /** Through the connection's member, so its send buffer counts replies too. */
    private void send(WebSocketConnection connection, String frame) {
        Member member = rooms.member(connection);
        if (member != null) {
            member.send(frame);
        } else {
            Member.send(connection, frame);
        }
    }
}
