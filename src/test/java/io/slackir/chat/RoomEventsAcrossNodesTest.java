package io.slackir.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.slackir.chat.protocol.Shout;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * The room event seam across nodes, with this node on a real Redis and the test playing another node on the same
 * channels: an ephemeral event that happens here is published once, in the envelope other nodes read; one another node
 * publishes reaches this node's connections as it was written; neither is remembered, whereas a shout from another node
 * is (a reconnect's history holds it).
 */
@QuarkusTest
@Tag("end-to-end")
@TestProfile(RoomEventsAcrossNodesTest.OnRedis.class)
@WithTestResource(RedisServer.class)
class RoomEventsAcrossNodesTest {

    public static class OnRedis implements QuarkusTestProfile {
    }

    private static Vertx vertx;
    private static RedisConnection other;
    private static final List<String> published = new CopyOnWriteArrayList<>();

    @TestHTTPResource("/")
    URI base;

    @Inject
    Rooms rooms;

    @BeforeAll
    static void playAnotherNode() throws Exception {
        if (!RedisServer.installed()) {
            Assumptions.assumeFalse(System.getenv("CI") == null,
                    "redis-server is not installed (apt-get install redis-server)");
            throw new AssertionError("redis-server is not installed: .ci/run installs it from Debian's packages");
        }
        vertx = Vertx.vertx();
        Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + RedisServer.port);
        other = redis.connect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        RedisConnection listening = redis.connect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        listening.handler(message -> received(message));
        listening.send(Request.cmd(Command.PSUBSCRIBE).arg("slackir:room:*")).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static void received(Response message) {
        if (message.size() == 4 && "pmessage".equals(message.get(0).toString())) {
            published.add(message.get(3).toString(StandardCharsets.UTF_8));
        }
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }

    @Test
    void ephemeralEventHereIsPublishedOnceInTheEnvelopeOtherNodesRead() {
        String room = newRoom();
        try (ChatClient ada = ChatClient.join(base, room)) {
            assertTrue(rooms.publish(new Wave(room, "Ada")));
            ada.await("wave");
            String envelope = "here\nwave\n" + new JsonObject().put("type", "wave").put("room", room).put("name", "Ada")
                    .encode();
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> published.contains(envelope));
            assertEquals(1, published.stream().filter(envelope::equals).count(), "published once");
        }
    }

    @Test
    void ephemeralEventOfAnotherNodeReachesConnectionsHereAndIsNotRememberedWhereAShoutIs() throws Exception {
        String room = newRoom();
        try (ChatClient ada = ChatClient.join(base, room); ChatClient bob = ChatClient.join(base, room)) {
            String seen = ada.shout("Ada", "here first", "1").awaitAck("1").getString("id");
            UUID fromThere = Shout.idAt(Instant.now().plusMillis(1));
            Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
            String wave = "{\"type\":\"wave\",\"room\":\"" + room + "\",\"name\":\"Bo\"}";
            String shout = new JsonObject().put("type", "shout").put("id", fromThere.toString()).put("room", room)
                    .put("name", "Bo").put("message", "from there").put("insertedAt", at.toString()).encode();
            publish(room, "there\nwave\n" + wave);
            publish(room, "there\nshout\n" + shout);
            publish(room, "there\nshout\n" + shout); // published again, as after a broken connection: once is enough

            for (ChatClient client : List.of(ada, bob)) {
                assertEquals(new JsonObject(wave), client.await("wave"), "as the other node wrote it");
                client.await(f -> "shout".equals(f.getString("type")) && fromThere.toString().equals(f.getString("id")));
            }
            try (ChatClient back = ChatClient.join(base, room + "?after=" + seen)) {
                List<JsonObject> history = back.await("history").getJsonArray("messages").stream()
                        .map(JsonObject.class::cast).toList();
                assertEquals(List.of("from there"), history.stream().map(m -> m.getString("message")).toList(),
                        "the other node's shout is remembered; its wave is not");
                assertTrue(back.ofType("wave").isEmpty());
            }
            assertEquals(1, ada.ofType("shout").stream().filter(f -> fromThere.toString().equals(f.getString("id")))
                    .count(), "a shout published twice is delivered once");
            assertEquals(1, ada.ofType("wave").size());
        }
    }

    private static void publish(String room, String envelope) throws Exception {
        other.send(Request.cmd(Command.PUBLISH).arg("slackir:room:" + room)
                .arg(Buffer.buffer(envelope.getBytes(StandardCharsets.UTF_8))))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String newRoom() {
        return "n-" + UUID.randomUUID().toString().substring(0, 13);
    }
}
