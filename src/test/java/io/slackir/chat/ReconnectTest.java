package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slackir.it.ServiceDatabase;
import io.vertx.core.json.JsonObject;

/**
 * {@code /chat/{room}?after=ID}: a client that reconnects gets every shout it missed, once, in order, from memory after
 * a short drop, from PostgreSQL after a long one, and pages the rest over HTTP when there are more than one frame
 * holds. Black-box: {@code ReconnectIT} runs the same against the packaged application.
 */
@QuarkusTest
@Tag("contract")
class ReconnectTest {

    @TestHTTPResource("/")
    URI base;

    private static String newRoom() {
        return "r-" + UUID.randomUUID().toString().substring(0, 13);
    }

    private static List<String> ids(List<JsonObject> frames) {
        return frames.stream().map(f -> f.getString("id")).toList();
    }

    private static List<String> historyIds(ChatClient client) {
        JsonObject history = client.await("history");
        return history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("id")).toList();
    }

    /** Shouts {@code count} times and waits until every one is stored: their ids, in order. */
    private static List<String> shoutStored(ChatClient sender, int count, String prefix) {
        for (int i = 0; i < count; i++) {
            sender.shout("Bob", prefix + " " + i, prefix + i);
        }
        Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> sender.ofType("ack").stream()
                .filter(a -> a.getString("ref").startsWith(prefix)).count() == count);
        return ids(sender.ofType("shout").stream().filter(f -> f.getString("message").startsWith(prefix + " "))
                .toList());
    }

    /** Waits until the room has left memory: its connections gauge is gone from the metrics. */
    private static void awaitClosed(String room) {
        Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> !given().when().get("/q/metrics").then()
                .statusCode(200).extract().asString().contains("room=\"" + room + "\""));
    }

    @Test
    void clientThatReconnectsWithAfterGetsExactlyTheShoutsItMissedInOrder() {
        String room = newRoom();
        try (ChatClient bob = ChatClient.join(base, room)) {
            String seen;
            try (ChatClient ada = ChatClient.join(base, room)) {
                bob.shout("Bob", "before", "before");
                seen = ada.await("shout").getString("id");
            }
            for (int i = 0; i < 30; i++) {
                bob.shout("Bob", "missed " + i, "m" + i);
            }
            List<String> missed = ids(bob.await("shout", 31)).subList(1, 31);

            try (ChatClient ada = ChatClient.join(base, room + "?after=" + seen)) {
                JsonObject history = ada.await("history");
                assertEquals(missed, historyIds(ada));
                assertTrue(history.getBoolean("complete"));
                assertTrue(ada.ofType("error").isEmpty());
                bob.shout("Bob", "live again", "live");
                assertEquals("live again", ada.await("shout").getString("message"));
                assertEquals(1, ada.ofType("shout").size(), "nothing twice");
            }
        }
    }

    @Test
    void afterAnIdNoLongerInMemoryTheHistoryComesFromPostgresAndTheRestIsPagedOverHttp() {
        String room = newRoom();
        String seen;
        List<String> missed;
        try (ChatClient bob = ChatClient.join(base, room)) {
            bob.shout("Bob", "seen", "seen");
            seen = bob.await("shout").getString("id");
            bob.awaitAck("seen");
            missed = shoutStored(bob, 260, "long");
        }
        // Everyone left and everything is stored: the room closes and its memory goes, as after a restart
        awaitClosed(room);

        try (ChatClient ada = ChatClient.join(base, room + "?after=" + seen)) {
            JsonObject history = ada.await("history");
            List<String> recovered = new ArrayList<>(historyIds(ada));
            assertEquals(History.AFTER_MAX, recovered.size(), "one frame holds the newest " + History.AFTER_MAX);
            assertFalse(history.getBoolean("complete"), "more remain");
            assertEquals(missed.subList(missed.size() - History.AFTER_MAX, missed.size()), recovered);

            // The gap is paged over HTTP, backward, until the page reaches the id the client had
            List<String> paged = given().when()
                    .get("/api/rooms/{room}/messages?before={id}&limit=200", room, recovered.getFirst())
                    .then().statusCode(200).extract().jsonPath().getList("messages.id");
            int from = paged.indexOf(seen);
            recovered.addAll(0, paged.subList(from + 1, paged.size()));
            assertEquals(missed, recovered, "every missed shout once, in order");
        }
    }

    @Test
    void joinDuringABurstNotYetStoredWithAfterStillGetsIt() throws Exception {
        String room = newRoom();
        try (ChatClient bob = ChatClient.join(base, room)) {
            bob.shout("Bob", "seen", "seen");
            String seen = bob.await("shout").getString("id");
            bob.awaitAck("seen");
            // Hold the writes back: SHARE mode blocks inserts, not reads
            try (Connection db = ServiceDatabase.connect(); Statement statement = db.createStatement()) {
                db.setAutoCommit(false);
                statement.execute("lock table messages in share mode");
                for (int i = 0; i < 5; i++) {
                    bob.shout("Bob", "pending " + i, "p" + i);
                }
                List<String> pending = ids(bob.await("shout", 6)).subList(1, 6);
                try (ChatClient ada = ChatClient.join(base, room + "?after=" + seen)) {
                    assertEquals(pending, historyIds(ada), "accepted, not stored, shown all the same");
                }
                db.rollback();
            }
            bob.await("ack", 6);
        }
    }

    @Test
    void afterTheNewestShoutTheHistoryIsEmptyAndComplete() {
        String room = newRoom();
        String newest;
        try (ChatClient bob = ChatClient.join(base, room)) {
            bob.shout("Bob", "newest", "n");
            newest = bob.await("shout").getString("id");
            try (ChatClient ada = ChatClient.join(base, room + "?after=" + newest)) {
                JsonObject history = ada.await("history");
                assertTrue(history.getJsonArray("messages").isEmpty());
                assertTrue(history.getBoolean("complete"));
            }
            bob.awaitAck("n");
        }
        // The same from PostgreSQL once the room's memory is gone
        awaitClosed(room);
        try (ChatClient ada = ChatClient.join(base, room + "?after=" + newest)) {
            JsonObject history = ada.await("history");
            assertTrue(history.getJsonArray("messages").isEmpty());
            assertTrue(history.getBoolean("complete"));
            assertTrue(ada.ofType("error").isEmpty(), "the newest id is known to PostgreSQL");
        }
    }

    @Test
    void malformedOrUnknownAfterIsAnErrorThenTheLatestHistory() {
        String room = newRoom();
        try (ChatClient bob = ChatClient.join(base, room)) {
            bob.shout("Bob", "only", "o");
            String only = bob.await("shout").getString("id");
            bob.awaitAck("o");
            for (String after : List.of("nope", "1-1-1-1-1", UUID.randomUUID().toString())) {
                try (ChatClient ada = ChatClient.join(base, room + "?after=" + after)) {
                    JsonObject error = ada.await("error");
                    assertEquals("invalid", error.getString("code"));
                    JsonObject field = error.getJsonArray("errors").getJsonObject(0);
                    assertEquals("after", field.getString("field"));
                    assertEquals(after.length() == 36 ? "is not a shout of this room" : "must be a UUID",
                            field.getString("message"));
                    assertEquals("error", ada.frames().get(0).getString("type"), "the error comes first");
                    assertEquals(List.of(only), historyIds(ada), "then the latest shouts");
                }
            }
        }
    }

    /**
     * A crowd joining a room that is not in memory at once: one join reads PostgreSQL for the room's latest shouts and
     * the others wait for that read; each gets the same latest 50, whether it read or waited.
     */
    @Test
    void aCrowdJoiningARoomNotInMemoryGetsTheLatestHistory() {
        String room = newRoom();
        List<String> stored;
        try (ChatClient bob = ChatClient.join(base, room)) {
            stored = shoutStored(bob, 60, "crowd");
        }
        // Everyone left and everything is stored: the room is out of memory
        List<CompletableFuture<ChatClient>> joining = new ArrayList<>();
        List<ChatClient> crowd;
        // At once, a thread each: the common pool has one thread on two cores, and joined them one by one
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 40; i++) {
                joining.add(CompletableFuture.supplyAsync(() -> ChatClient.join(base, room), threads));
            }
            crowd = joining.stream().map(CompletableFuture::join).toList();
        }
        try {
            for (ChatClient client : crowd) {
                JsonObject history = client.await("history");
                assertEquals(stored.subList(10, 60), historyIds(client));
                assertFalse(history.getBoolean("complete"));
            }
        } finally {
            crowd.forEach(ChatClient::close);
        }
    }
}
