package io.slackir.chat;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.logging.Logger;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A real WebSocket client of {@code /chat/{room}} for black-box tests: it keeps every frame it receives. */
public final class ChatClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ChatClient.class);
    private static final Vertx VERTX = Vertx.vertx();
    /** A history of 50 shouts of 4,000 emoji is 800 kB: far over Vert.x's default limit of 64 kB. */
    private static final WebSocketClient CLIENT = VERTX.createWebSocketClient(
            new WebSocketClientOptions().setMaxMessageSize(4 * 1024 * 1024).setMaxFrameSize(4 * 1024 * 1024));
    public static final Duration PATIENCE = Duration.ofSeconds(15);

    static {
        // Awaitility waits its poll interval (100 ms) before it first looks, however true the condition is already:
        // a wait for a frame that has come cost 100 ms, and the socket suites wait for thousands (a crowd of 40
        // joiners checked twice each took 8 s). Look at once, then every 20 ms
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
    }

    private final WebSocket socket;
    private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
    private String path = "?";
    /** Every WebSocket frame Vert.x handed over, for a failed wait to tell a lost frame from one never sent. */
    private final AtomicInteger rawFrames = new AtomicInteger();
    private volatile boolean closed;

    private ChatClient(WebSocket socket) {
        this.socket = socket;
        socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
        socket.frameHandler(frame -> rawFrames.incrementAndGet());
        socket.closeHandler(v -> closed = true);
        // A write after the server closed (tests that get closed on purpose): the test's to see, not an ERROR in the log
        socket.exceptionHandler(e -> LOG.debugf("The %s failed: %s", this, e.toString()));
    }

    /**
     * Connects and waits for the history frame, which the server sends first. Rarely (about one suite run in ten on
     * these machines) a fresh connection receives nothing at all although the server logs its history as sent; that
     * is under investigation (see the notes), so such a connection is reported and replaced once.
     */
    public static ChatClient join(URI base, String room) {
        ChatClient client = connectTo(base, room);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !client.ofType("history").isEmpty());
            return client;
        } catch (ConditionTimeoutException e) {
            LOG.warnf("No history within 5 s for the %s; connecting again", client);
            client.close();
        }
        ChatClient again = connectTo(base, room);
        again.await("history");
        return again;
    }

    /** Connects with more to the handshake ({@link #bearer}, {@link #carrier}) and waits for the history frame. */
    public static ChatClient join(URI base, String room, UnaryOperator<WebSocketConnectOptions> handshake) {
        ChatClient client = connectTo(base, room, handshake);
        client.await("history");
        return client;
    }

    /** The token in the {@code Authorization} header, as a program sends it. */
    public static UnaryOperator<WebSocketConnectOptions> bearer(String token) {
        return options -> options.addHeader("Authorization", "Bearer " + token);
    }

    /**
     * The token in the {@code bearer-token-carrier} subprotocol, as a browser sends it (it cannot set headers): the
     * carrier, then {@code quarkus-http-upgrade#Authorization#Bearer <token>}, URI-encoded.
     */
    public static UnaryOperator<WebSocketConnectOptions> carrier(String token) {
        String header = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer " + token, StandardCharsets.UTF_8)
                .replace("+", "%20");
        return options -> options.setSubProtocols(List.of("bearer-token-carrier", header));
    }

    /** The outcome of a handshake: 101 when upgraded, else the refusal's status. */
    public static int handshakeStatus(URI base, String path, UnaryOperator<WebSocketConnectOptions> handshake) {
        try {
            CLIENT.connect(handshake.apply(options(base, path))).toCompletionStage().toCompletableFuture()
                    .orTimeout(10, TimeUnit.SECONDS).join().close();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
                return rejected.getStatus();
            }
            throw e;
        }
    }

    private static ChatClient connectTo(URI base, String room) {
        return connectTo(base, room, UnaryOperator.identity());
    }

    private static ChatClient connectTo(URI base, String room, UnaryOperator<WebSocketConnectOptions> handshake) {
        // The handlers are set before the handshake: the history that follows it cannot be missed
        ClientWebSocket socket = CLIENT.webSocket();
        ChatClient client = new ChatClient(socket);
        client.path = "/chat/" + room;
        socket.connect(handshake.apply(options(base, "/chat/" + room)))
                .toCompletionStage().toCompletableFuture().orTimeout(PATIENCE.toSeconds(), TimeUnit.SECONDS).join();
        return client;
    }

    /** The handshake alone, for tests of what it refuses. */
    public static io.vertx.core.Future<WebSocket> connect(URI base, String path) {
        return CLIENT.connect(options(base, path));
    }

    /**
     * The handshake with an {@code Origin} header, as a browser page of that origin sends it; with null, none at all
     * (Vert.x otherwise sends one of its own, as a page of the server's origin would).
     */
    public static io.vertx.core.Future<WebSocket> connect(URI base, String path, String origin) {
        return CLIENT.connect(origin == null ? options(base, path).setAllowOriginHeader(false)
                : options(base, path).addHeader("Origin", origin));
    }

    /** The outcome of a handshake with this {@code Origin} (null: none): 101 when upgraded, else the refusal's status. */
    public static int handshakeStatus(URI base, String path, String origin) {
        try {
            connect(base, path, origin).toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS)
                    .join().close();
            return 101;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
                return rejected.getStatus();
            }
            throw e;
        }
    }

    /** The close code the server sent, or null while open. */
    public Short closeStatus() {
        return socket.closeStatusCode();
    }

    private static WebSocketConnectOptions options(URI base, String path) {
        return new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort()).setURI(path);
    }

    public ChatClient send(String text) {
        socket.writeTextMessage(text).toCompletionStage().toCompletableFuture().join();
        return this;
    }

    public ChatClient send(JsonObject frame) {
        return send(frame.encode());
    }

    /** Sends without waiting for the write: for floods, where the order on the wire is all that matters. */
    public void sendQuickly(String text) {
        socket.writeTextMessage(text);
    }

    public ChatClient sendBinary(byte[] bytes) {
        socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(bytes)).toCompletionStage().toCompletableFuture()
                .join();
        return this;
    }

    public ChatClient shout(String name, String message, String ref) {
        return send(shoutFrame(name, message, ref));
    }

    /** A shout sent as {@link #sendQuickly}: without waiting for the write. */
    public void shoutQuickly(String name, String message, String ref) {
        sendQuickly(shoutFrame(name, message, ref).encode());
    }

    private static JsonObject shoutFrame(String name, String message, String ref) {
        JsonObject frame = new JsonObject().put("type", "shout").put("name", name).put("message", message);
        if (ref != null) {
            frame.put("ref", ref);
        }
        return frame;
    }

    /** The first frame received so far that matches, waiting for it as long as {@link #PATIENCE}. */
    public JsonObject await(Predicate<JsonObject> matching) {
        try {
            return Awaitility.await().atMost(PATIENCE).until(() -> find(matching), Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("No matching frame within " + PATIENCE + " for the " + this, e);
        }
    }

    /** What a failed wait reports: where this client is connected, whether it is closed, and what it received. */
    @Override
    public String toString() {
        return "client of " + path + (closed ? " (closed)" : "") + " after " + rawFrames.get() + " raw and "
                + frames.size() + " text frames: "
                + frames.stream().limit(5).map(f -> f.getString("type")).toList();
    }

    public JsonObject await(String type) {
        return await(f -> type.equals(f.getString("type")));
    }

    /** The error frame that echoes this ref. */
    public JsonObject awaitError(String ref) {
        return await(f -> "error".equals(f.getString("type")) && ref.equals(f.getString("ref")));
    }

    public JsonObject awaitAck(String ref) {
        return await(f -> "ack".equals(f.getString("type")) && ref.equals(f.getString("ref")));
    }

    /** Waits until {@code count} frames of the type have arrived, and returns them in arrival order. */
    public List<JsonObject> await(String type, int count) {
        return Awaitility.await().atMost(PATIENCE).until(() -> ofType(type), list -> list.size() >= count);
    }

    public Optional<JsonObject> find(Predicate<JsonObject> matching) {
        return frames.stream().filter(matching).findFirst();
    }

    public List<JsonObject> ofType(String type) {
        return frames.stream().filter(f -> type.equals(f.getString("type"))).toList();
    }

    public List<JsonObject> frames() {
        return List.copyOf(frames);
    }

    /**
     * Who is in the room as this client knows it, by name with their connections: its {@code presence} frame with every
     * {@code presence_diff} since applied, as a page would.
     */
    public Map<String, Integer> members() {
        Map<String, Integer> members = new TreeMap<>();
        for (JsonObject frame : frames) {
            switch (frame.getString("type")) {
                case "presence" -> {
                    members.clear();
                    put(members, frame.getJsonArray("members"));
                }
                case "presence_diff" -> {
                    put(members, frame.getJsonArray("joins"));
                    frame.getJsonArray("leaves").forEach(members::remove);
                }
                default -> {
                }
            }
        }
        return members;
    }

    private static void put(Map<String, Integer> members, JsonArray entries) {
        entries.stream().map(JsonObject.class::cast)
                .forEach(e -> members.put(e.getString("name"), e.getInteger("connections")));
    }

    /** The unnamed connections as the latest {@code presence} or {@code presence_diff} counts them; -1 before any. */
    public int unnamed() {
        List<JsonObject> presence = frames.stream().filter(f -> f.getString("type").startsWith("presence")).toList();
        return presence.isEmpty() ? -1 : presence.getLast().getInteger("unnamed");
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            socket.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
        }
    }
}
