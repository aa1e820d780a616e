package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.slackir.SlackirConfig;
import io.slackir.chat.access.Access;
import io.slackir.chat.access.AccessCheck;
import io.slackir.chat.protocol.AckFrame;
import io.slackir.chat.protocol.ErrorCode;
import io.slackir.chat.protocol.ErrorFrame;
import io.slackir.chat.protocol.FieldError;
import io.slackir.chat.protocol.Frames;
import io.slackir.chat.protocol.Refusal;
import io.slackir.chat.protocol.Shout;
import io.slackir.chat.protocol.Speaker;
import io.slackir.chat.protocol.Typing;
import io.slackir.chat.wire.SocketWriter;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A room's live conversation, protocol v1 (docs/protocol.md): history on join, shouts broadcast to the room, an
 * ack once stored, an error frame for whatever is refused. A bad frame is answered, never fatal to the connection.
 * Each kind of frame a client sends has a handler and a budget of its own ({@link Throttle}).
 */
@WebSocket(path = "/chat/{room}")
public class ChatSocket {

    private static final Logger LOG = Logger.getLogger(ChatSocket.class);

    /** The timer that closes a connection when its token expires (jwt mode). */
    private static final UserData.TypedKey<Long> EXPIRY = UserData.TypedKey.forLong("slackir.expiry");

    /** Closed for sending far over its rate, long after being told. */
    static final CloseReason FLOODING = new CloseReason(1008, "flooding: far over the rate limit");

    /** Closed when the token it was opened with expires (jwt mode): reconnect with a fresh one and {@code ?after=}. */
    static final CloseReason EXPIRED = new CloseReason(4401, "the token expired: reconnect with a fresh one");

    /** Closed for a message over max-message-size that came in frames each under max-frame-size. */
    static final CloseReason TOO_LARGE = new CloseReason(1009, "too large: over max-message-size");

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
    private final Access access;
    private final Vertx vertx;
    private final ObjectMapper json;
    private final SlackirConfig.Limits limits;
    /** Whether frames are written straight to the channel ({@code slackir.delivery.writer}). */
    private final boolean direct;
    /** What a client may send, by {@code type}. */
    private final Map<String, BiConsumer<WebSocketConnection, JsonNode>> handlers = Map.of(
            Shout.TYPE, this::shout,
            Typing.TYPE, this::typing);
    /** Each kind's budget; the first also pays for frames of no kind (not JSON, an unknown type, too large). */
    private final List<Throttle.Budget> budgets;

    private final Counter typingRelayed;
    private final Counter typingDropped;

    ChatSocket(Rooms rooms, Megaphone megaphone, Access access, Vertx vertx, ObjectMapper json, SlackirConfig config,
            MeterRegistry registry) {
        this.rooms = rooms;
        this.megaphone = megaphone;
        this.access = access;
        this.vertx = vertx;
        this.json = json;
        this.limits = config.limits();
        this.direct = config.delivery().writer() == SlackirConfig.Delivery.Writer.DIRECT;
        this.budgets = List.of(new Throttle.Budget(Shout.TYPE, limits.rate(), limits.burst(), false),
                new Throttle.Budget(Typing.TYPE, limits.typingRate(), limits.typingBurst(), true));
        this.typingRelayed = registry.counter("slackir.typing.relayed");
        this.typingDropped = registry.counter("slackir.typing.dropped");
    }

    /**
     * Runs on a worker thread: the history is read from the database. {@code ?after=ID} asks for what came since;
     * {@code ?name=} says who the connection is (none: unnamed), checked as a shout's name is; in jwt mode the token
     * says it, and the connection is closed when the token expires.
     */
    @OnOpen
    void join(WebSocketConnection connection) {
        String query = connection.handshakeRequest().query();
        Map<String, List<String>> parameters = query == null ? Map.of()
                : new QueryStringDecoder(query, false).parameters();
        List<FieldError> errors = new ArrayList<>();
        Speaker speaker;
        Access.SignedIn signedIn = connection.userData().get(AccessCheck.SIGNED_IN);
        if (signedIn != null) {
            speaker = signedIn.speaker(); // a name in the query is ignored: nobody speaks as someone else
        } else {
            String name = first(parameters, "name");
            if (name != null) {
                name = name.strip();
                megaphone.check("name", name, errors);
            }
            speaker = name == null || !errors.isEmpty() ? null : Speaker.named(name);
        }
        Member member = new Member(new SocketWriter(connection, limits.sendBuffer().asLongValue(), direct), speaker,
                new Throttle(budgets, limits.floodStrikes()));
        if (signedIn != null) {
            long expiresIn = Math.max(1, signedIn.expires().toEpochMilli() - System.currentTimeMillis());
            connection.userData().put(EXPIRY, vertx.setTimer(expiresIn, timer -> member.close(EXPIRED)));
        }
        if (!errors.isEmpty()) {
            // Before the history: the client learns why it is unnamed
            Refusal refused = new Refusal(ErrorCode.INVALID, "the name is invalid; in this room you are unnamed", errors);
            megaphone.refused(refused);
            member.send(Frames.write(json, ErrorFrame.of(refused, null)));
        }
        rooms.join(member, first(parameters, "after"));
    }

    private static String first(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }

    @OnClose
    void leave(WebSocketConnection connection) {
        Long expiry = connection.userData().get(EXPIRY);
        if (expiry != null) {
            vertx.cancelTimer(expiry);
        }
        rooms.leave(connection);
    }

    /**
     * On the event loop: nothing here waits (validation, a delivery posted to the outboxes, persistence handed to its
     * own threads), and a hop to a worker thread per frame would cost more than the frame's own work.
     */
    @OnTextMessage
    @NonBlocking
    void receive(WebSocketConnection connection, String text) {
        Member member = rooms.member(connection);
        if (member != null && member.closing()) {
            return; // a flood still arriving after its close: dropped quietly, nothing answered
        }
        if (text.length() > FRAME_MAX) {
            if (admitted(member, null)) {
                refuse(connection, new Refusal(ErrorCode.TOO_LARGE,
                        "the frame is over " + FRAME_MAX + " characters: larger than any valid shout"), null);
            }
            return;
        }
        JsonNode frame;
        String malformed = null;
        try {
            frame = json.readTree(text);
        } catch (JacksonException e) {
            frame = null;
            malformed = "the frame is not JSON";
        }
        if (frame == null || !frame.isObject()) {
            if (admitted(member, null)) {
                refuse(connection, new Refusal(ErrorCode.MALFORMED,
                        malformed != null ? malformed : "the frame is not a JSON object"), null);
            }
            return;
        }
        JsonNode type = frame.get("type");
        BiConsumer<WebSocketConnection, JsonNode> handler = type == null || !type.isTextual() ? null
                : handlers.get(type.textValue());
        if (handler == null) {
            if (admitted(member, null)) {
                refuse(connection, new Refusal(ErrorCode.UNKNOWN_TYPE, "type must be \"shout\" or \"typing\""),
                        null);
            }
            return;
        }
        if (admitted(member, type.textValue())) {
            handler.accept(connection, frame);
        }
    }

    @OnBinaryMessage
    void receive(WebSocketConnection connection, Buffer binary) {
        Member member = rooms.member(connection);
        if ((member == null || !member.closing()) && admitted(member, null)) {
            refuse(connection, new Refusal(ErrorCode.MALFORMED, "binary frames are not accepted: send JSON text"),
                    null);
        }
    }

    /** A frame over max-message-size cannot be read: Netty closes the socket with 1009; nothing else to do. */
    @OnError
    void tooLarge(WebSocketConnection connection, CorruptedWebSocketFrameException e) {
        LOG.debugf("Connection %s sent a frame it could not: %s", connection.id(), e.getMessage());
        megaphone.refused(new Refusal(ErrorCode.TOO_LARGE, e.getMessage()));
    }

    /**
     * A message over max-message-size in frames each under max-frame-size: Vert.x, joining them, drops it with this
     * exception and leaves the socket open. Closed with 1009 as Netty closes a single frame over the limit. Other
     * {@code IllegalStateException}s are thrown on, to the unhandled-failure strategy.
     */
    @OnError
    void messageTooLarge(WebSocketConnection connection, IllegalStateException e) {
        if (e.getMessage() == null || !e.getMessage().contains("to overflow max message size")) {
            throw e;
        }
        LOG.debugf("Connection %s sent a message it could not: %s", connection.id(), e.getMessage());
        megaphone.refused(new Refusal(ErrorCode.TOO_LARGE, e.getMessage()));
        Member member = rooms.member(connection);
        if (member != null) {
            member.close(TOO_LARGE);
        } else {
            connection.close(TOO_LARGE).subscribe().with(closed -> {
            }, failure -> {
            });
        }
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
     * Every frame costs a token of its kind's budget: over it a frame is refused unread; a connection that keeps on is
     * closed, once, and what it sends after that is dropped.
     *
     * @param type the frame's kind, or null for a frame of none
     */
    private boolean admitted(Member member, String type) {
        if (member == null) {
            return true;
        }
        member.heard();
        switch (member.throttle.take(type)) {
            case PASS:
                return true;
            case DROPPED:
                typingDropped.increment();
                return false;
            case OVER_BUDGET:
                refuse(member.connection, new Refusal(ErrorCode.RATE_LIMITED, "too many frames; slow down"), null);
                return false;
            default:
                megaphone.refused(new Refusal(ErrorCode.RATE_LIMITED, "flooding"));
                LOG.debugf("Closing connection %s: flooding", member.connection.id());
                member.close(FLOODING);
                return false;
        }
    }

    private void shout(WebSocketConnection connection, JsonNode frame) {
        List<FieldError> errors = new ArrayList<>();
        String ref = Frames.text(frame, "ref", errors);
        if (ref != null && ref.codePointCount(0, ref.length()) > REF_MAX) {
            errors.add(new FieldError("ref", "must be at most " + REF_MAX + " characters"));
        }
        Member member = rooms.member(connection);
        // Signed in (jwt mode), the token names the speaker: a name in the frame is ignored
        boolean signedIn = member != null && connection.userData().get(AccessCheck.SIGNED_IN) != null;
        String name = signedIn ? member.speaker.name() : Frames.text(frame, "name", errors);
        String message = Frames.text(frame, "message", errors);
        String echo = errors.stream().anyMatch(e -> e.field().equals("ref")) ? null : ref;
        if (!errors.isEmpty()) {
            refuse(connection, new Refusal(ErrorCode.INVALID, "the shout is invalid", errors), echo);
            return;
        }
        Megaphone.Accepted accepted;
        try {
            accepted = megaphone.shout(connection.pathParam("room"), name, message);
        } catch (Refusal refused) {
            refuse(connection, refused, echo);
            return;
        }
        accepted.stored().whenComplete((stored, failure) -> {
            if (connection.isOpen()) {
                Object reply = failure == null
                        ? new AckFrame(accepted.shout().id(), echo)
                        : ErrorFrame.notStored(accepted.shout().id(), echo);
                send(connection, Frames.write(json, reply));
            }
        });
    }

    /** Someone types: the others in the room see it, here and on the other nodes. Unnamed: nobody to show. */
    private void typing(WebSocketConnection connection, JsonNode frame) {
        Member member = rooms.member(connection);
        if (member == null || member.speaker == null) {
            typingDropped.increment();
        } else if (rooms.publish(new Typing(connection.pathParam("room"), member.speaker.name(), connection.id()))) {
            typingRelayed.increment();
        }
    }

    private void refuse(WebSocketConnection connection, Refusal refused, String ref) {
        megaphone.refused(refused);
        send(connection, Frames.write(json, ErrorFrame.of(refused, ref)));
    }

    /** Through the connection's member, so its send buffer counts replies too. */
    private void send(WebSocketConnection connection, String frame) {
        Member member = rooms.member(connection);
        if (member != null) {
            member.send(frame);
        } else {
            SocketWriter.send(connection, frame);
        }
    }
}
