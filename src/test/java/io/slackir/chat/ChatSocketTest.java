package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static io.slackir.chat.Metrics.metric;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.slackir.ExpectedLog;
import io.slackir.conversations.Message;
import io.slackir.it.ServiceDatabase;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Protocol v1 of {@code /chat/{room}}, driven by several real WebSocket clients, and what ends up in PostgreSQL, read
 * back through the HTTP API. Black-box: {@code ChatSocketIT} runs the same against the packaged application.
 */
@QuarkusTest
@Tag("contract")
class ChatSocketTest {

    @TestHTTPResource("/")
    URI base;

    private static String newRoom() {
        return "t-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** The stored shout as {@code GET /api/messages/{id}} gives it; null when none with this id is stored (404). */
    private static JsonObject stored(String id) {
        ExtractableResponse<Response> response = given()
                .when().get("/api/messages/{id}", id)
                .then().statusCode(anyOf(is(200), is(404))).extract();
        return response.statusCode() == 404 ? null : new JsonObject(response.asString());
    }

    /** How many shouts of the room are stored: one page of the HTTP API holds up to 200, far more than asked here. */
    private static int storedCount(String room) {
        return given()
                .when().get("/api/rooms/{room}/messages?limit=200", room)
                .then().statusCode(200).extract().jsonPath().getList("messages").size();
    }

    /** When the shout's row was written: the row's own column, which no API shows, read straight from the table. */
    private static Instant updatedAt(String id) throws SQLException {
        try (Connection db = ServiceDatabase.connect();
                PreparedStatement select = db.prepareStatement("select updated_at from messages where id = ?")) {
            select.setObject(1, UUID.fromString(id));
            try (ResultSet row = select.executeQuery()) {
                return row.next() && row.getTimestamp(1) != null ? row.getTimestamp(1).toInstant() : null;
            }
        }
    }

    /** The ids sorted as UUIDs compare, which for UUIDv7 is the order they were given in. */
    private static List<String> inIdOrder(List<String> ids) {
        return ids.stream().map(UUID::fromString).sorted().map(UUID::toString).toList();
    }

    private static List<String> ids(List<JsonObject> frames) {
        return frames.stream().map(f -> f.getString("id")).toList();
    }

    @Test
    void shoutIsBroadcastToEveryConnectionOfTheRoomWithOneIdAndToNoOtherRoom() {
        String room = newRoom();
        String otherRoom = newRoom();
        try (ChatClient ada = ChatClient.join(base, room);
                ChatClient bob = ChatClient.join(base, room);
                ChatClient cy = ChatClient.join(base, room);
                ChatClient stranger = ChatClient.join(base, otherRoom)) {
            ada.shout("Ada", "hello room", "r1");

            List<JsonObject> received = new ArrayList<>();
            for (ChatClient client : List.of(ada, bob, cy)) {
                received.add(client.await("shout"));
            }
            JsonObject first = received.get(0);
            for (JsonObject shout : received) {
                assertEquals(first, shout, "every connection receives the same shout");
            }
            assertEquals(room, first.getString("room"));
            assertEquals("Ada", first.getString("name"));
            assertEquals("hello room", first.getString("message"));
            assertEquals(7, UUID.fromString(first.getString("id")).version(), "ids are UUIDv7");
            assertThat(Instant.parse(first.getString("insertedAt")), notNullValue());
            assertNull(first.getString("ref"), "the ref is the sender's, never broadcast");
            assertEquals(first.getString("id"), ada.awaitAck("r1").getString("id"));

            // The other room hears its own shout, and only that one
            stranger.shout("Zed", "hello other room", "z1");
            JsonObject own = stranger.await("shout");
            assertEquals("hello other room", own.getString("message"));
            stranger.awaitAck("z1");
            assertThat(stranger.ofType("shout"), hasSize(1));
            assertTrue(ada.ofType("shout").stream().noneMatch(f -> f.getString("room").equals(otherRoom)));
        }
    }

    @Test
    void shoutsOfOneSenderArriveInOrderWithIncreasingIds() {
        String room = newRoom();
        try (ChatClient sender = ChatClient.join(base, room); ChatClient listener = ChatClient.join(base, room)) {
            int n = 30;
            IntStream.range(0, n).forEach(i -> sender.shout("Ada", "message " + i, "r" + i));

            List<JsonObject> heard = listener.await("shout", n);
            assertThat(heard.stream().map(f -> f.getString("message")).toList(),
                    contains(IntStream.range(0, n).mapToObj(i -> "message " + i).toArray()));
            List<String> ids = ids(heard);
            assertEquals(inIdOrder(ids), ids, "ids sort in acceptance order, also within one millisecond");
            assertEquals(ids, ids(sender.await("shout", n)), "the sender hears the same shouts in the same order");
            assertThat(ids(sender.await("ack", n)), containsInAnyOrder(ids.toArray()));
        }
    }

    @Test
    void everyConnectionSeesTheRoomInOneOrderEvenWhenSeveralShoutAtOnce() throws Exception {
        String room = newRoom();
        int each = 40;
        try (ChatClient ada = ChatClient.join(base, room);
                ChatClient bob = ChatClient.join(base, room);
                ChatClient cy = ChatClient.join(base, room)) {
            List<ChatClient> all = List.of(ada, bob, cy);
            List<Thread> senders = new ArrayList<>();
            for (ChatClient client : all) {
                senders.add(Thread.ofPlatform().start(
                        () -> IntStream.range(0, each).forEach(i -> client.shout("c", "m" + i, null))));
            }
            for (Thread sender : senders) {
                sender.join();
            }
            List<String> order = ids(ada.await("shout", 3 * each));
            assertEquals(inIdOrder(order), order, "delivered in id order");
            for (ChatClient client : all) {
                assertEquals(order, ids(client.await("shout", 3 * each)), "the same order for everyone");
                client.await("ack", each);
            }
        }
    }

    @Test
    void senderGetsAnAckOnceTheShoutIsStoredAndTheRowMatchesTheBroadcast() throws Exception {
        String room = newRoom();
        try (ChatClient ada = ChatClient.join(base, room); ChatClient bob = ChatClient.join(base, room)) {
            ada.shout("  Ada  ", "  stored, I hope \n", "mine");
            JsonObject shout = bob.await("shout");
            JsonObject ack = ada.awaitAck("mine");
            assertEquals(shout.getString("id"), ack.getString("id"));

            // The ack means durable: the row is there the moment it arrives
            JsonObject row = stored(ack.getString("id"));
            assertThat(row, notNullValue());
            assertEquals(shout.getString("room"), row.getString("room"));
            assertEquals("Ada", row.getString("name"), "names are trimmed");
            assertEquals("stored, I hope", row.getString("message"), "messages are trimmed");
            assertEquals(shout.getString("name"), row.getString("name"));
            assertEquals(shout.getString("message"), row.getString("message"));
            assertEquals(Instant.parse(shout.getString("insertedAt")), Instant.parse(row.getString("insertedAt")));
            assertThat(updatedAt(ack.getString("id")), notNullValue());
            assertTrue(bob.ofType("ack").isEmpty(), "only the sender is acked");
        }
    }

    @Test
    void ackWithoutRefStillNamesTheShout() {
        String room = newRoom();
        try (ChatClient ada = ChatClient.join(base, room)) {
            ada.shout("Ada", "no ref", null);
            JsonObject shout = ada.await("shout");
            JsonObject ack = ada.await("ack");
            assertEquals(shout.getString("id"), ack.getString("id"));
            assertFalse(ack.containsKey("ref"));
        }
    }

    @Test
    void joiningConnectionGetsTheLatestFiftyOldestFirst() {
        String room = newRoom();
        List<String> sent = new ArrayList<>();
        try (ChatClient ada = ChatClient.join(base, room)) {
            for (int i = 0; i < 55; i++) {
                ada.shout("Ada", "line " + i, "r" + i);
            }
            List<JsonObject> acks = ada.await("ack", 55);
            assertThat(acks, hasSize(55));
            sent.addAll(ids(ada.await("shout", 55)));
        }
        try (ChatClient late = ChatClient.join(base, room)) {
            JsonObject history = late.await("history");
            JsonArray messages = history.getJsonArray("messages");
            assertEquals(50, messages.size());
            assertFalse(history.getBoolean("complete"), "older shouts remain to be paged");
            List<String> shown = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                JsonObject m = messages.getJsonObject(i);
                shown.add(m.getString("id"));
                assertEquals("line " + (i + 5), m.getString("message"));
                assertEquals(room, m.getString("room"));
                assertEquals("Ada", m.getString("name"));
            }
            assertEquals(sent.subList(5, 55), shown);
            assertEquals(late.frames().get(0), history, "history is the first frame");
        }
    }

    @Test
    void historyOfAFreshRoomIsEmptyAndCompleteAndHoldsOnlyThatRoom() {
        String room = newRoom();
        String other = newRoom();
        try (ChatClient elsewhere = ChatClient.join(base, other)) {
            elsewhere.shout("Zed", "not for you", "z");
            elsewhere.awaitAck("z");
        }
        try (ChatClient first = ChatClient.join(base, room)) {
            JsonObject history = first.await("history");
            assertTrue(history.getJsonArray("messages").isEmpty());
            assertTrue(history.getBoolean("complete"));
            first.shout("Ada", "one", "a");
            first.awaitAck("a");
        }
        try (ChatClient second = ChatClient.join(base, room)) {
            JsonObject history = second.await("history");
            assertEquals(1, history.getJsonArray("messages").size());
            assertEquals("one", history.getJsonArray("messages").getJsonObject(0).getString("message"));
            assertTrue(history.getBoolean("complete"));
        }
    }

    @Test
    void unicodeRoundTripsExactly() {
        String room = newRoom();
        String name = "Zoë 👩🏽‍💻 Łukasz";
        String message = "Ça va? 👋🏽 你好, שלום, नमस्ते — naïve café, 𝕏 and 👨‍👩‍👧‍👦";
        try (ChatClient ada = ChatClient.join(base, room); ChatClient bob = ChatClient.join(base, room)) {
            ada.shout(name, message, "u");
            JsonObject heard = bob.await("shout");
            assertEquals(name, heard.getString("name"));
            assertEquals(message, heard.getString("message"));
            ada.awaitAck("u");
            JsonObject row = stored(heard.getString("id"));
            assertEquals(name, row.getString("name"));
            assertEquals(message, row.getString("message"));
        }
        try (ChatClient late = ChatClient.join(base, room)) {
            JsonObject m = late.await("history").getJsonArray("messages").getJsonObject(0);
            assertEquals(name, m.getString("name"));
            assertEquals(message, m.getString("message"));
        }
    }

    @Test
    void lengthsCountCodePoints() {
        String room = newRoom();
        String longest = "😀".repeat(Message.MESSAGE_MAX);
        String name = "é".repeat(Message.NAME_MAX);
        try (ChatClient ada = ChatClient.join(base, room)) {
            ada.shout(name, longest, "fits");
            ada.awaitAck("fits");
            JsonObject shout = ada.await("shout");
            assertEquals(longest, shout.getString("message"));
            assertEquals(longest, stored(shout.getString("id")).getString("message"));

            ada.shout(name, longest + "😀", "too-long");
            JsonObject error = ada.awaitError("too-long");
            assertEquals("invalid", error.getString("code"));
            assertEquals(new JsonArray().add(new JsonObject().put("field", "message")
                    .put("message", "must be at most 4000 characters")), error.getJsonArray("errors"));
        }
    }

    @Test
    void historyIncludesShoutsAcceptedButNotStoredYetWithoutDuplicates() throws Exception {
        String room = newRoom();
        List<String> sent;
        try (ChatClient ada = ChatClient.join(base, room)) {
            // Hold the writes back: SHARE mode blocks inserts, not reads
            try (Connection db = ServiceDatabase.connect(); Statement statement = db.createStatement()) {
                db.setAutoCommit(false);
                statement.execute("lock table messages in share mode");
                for (int i = 0; i < 3; i++) {
                    ada.shout("Ada", "pending " + i, "p" + i);
                }
                sent = ids(ada.await("shout", 3));
                try (ChatClient early = ChatClient.join(base, room)) {
                    assertEquals(sent, ids(messages(early.await("history"))), "not stored yet, shown all the same");
                }
                assertTrue(ada.ofType("ack").isEmpty(), "nothing is acked before it is stored");
                db.rollback();
            }
            assertThat(ids(ada.await("ack", 3)), containsInAnyOrder(sent.toArray()));
            try (ChatClient late = ChatClient.join(base, room)) {
                assertEquals(sent, ids(messages(late.await("history"))), "now from PostgreSQL, each once");
            }
        }
    }

    @Test
    void joiningDuringABurstMissesNothingAndRepeatsNothing() {
        String room = newRoom();
        int n = 300;
        List<ChatClient> joiners = new ArrayList<>();
        try (ChatClient ada = ChatClient.join(base, room)) {
            for (int i = 0; i < n; i++) {
                ada.shout("Ada", "burst " + i, null);
                if (i % 60 == 30) {
                    joiners.add(ChatClient.join(base, room));
                }
            }
            List<String> sent = ids(ada.await("shout", n));
            assertThat(ids(ada.await("ack", n)), containsInAnyOrder(sent.toArray()));
            String last = sent.get(n - 1);
            for (ChatClient joiner : joiners) {
                joiner.await(f -> "shout".equals(f.getString("type")) && last.equals(f.getString("id")));
                List<String> seen = new ArrayList<>(ids(messages(joiner.ofType("history").get(0))));
                seen.addAll(ids(joiner.ofType("shout")));
                int from = sent.indexOf(seen.get(0));
                assertTrue(from >= 0);
                assertEquals(sent.subList(from, n), seen, "history then live shouts: the rest of the burst, in order");
            }
        } finally {
            joiners.forEach(ChatClient::close);
        }
    }

    private static List<JsonObject> messages(JsonObject history) {
        JsonArray messages = history.getJsonArray("messages");
        return IntStream.range(0, messages.size()).mapToObj(messages::getJsonObject).toList();
    }

    @Test
    void frameThatIsNotAJsonObjectIsMalformed() {
        try (ChatClient ada = ChatClient.join(base, newRoom())) {
            for (String bad : List.of("hello", "{\"type\":\"shout\"", "[1,2]", "42", "null", "\"shout\"", "")) {
                int before = ada.ofType("error").size();
                ada.send(bad);
                List<JsonObject> errors = ada.await("error", before + 1);
                JsonObject error = errors.get(before);
                assertEquals("malformed", error.getString("code"), bad);
                assertThat(error.getString("message"), notNullValue());
            }
            ada.sendBinary(new byte[] { 1, 2, 3 });
            assertEquals("malformed", ada.await("error", 8).get(7).getString("code"));
            assertConnectionStillWorks(ada);
        }
    }

    @Test
    void frameOfAnotherTypeIsUnknownType() {
        try (ChatClient ada = ChatClient.join(base, newRoom())) {
            List<JsonObject> bad = List.of(new JsonObject().put("type", "whisper").put("name", "a").put("message", "b"),
                    new JsonObject().put("name", "a").put("message", "b"),
                    new JsonObject().put("type", 7),
                    new JsonObject().put("type", "SHOUT"));
            for (int i = 0; i < bad.size(); i++) {
                ada.send(bad.get(i));
                assertEquals("unknown_type", ada.await("error", i + 1).get(i).getString("code"));
            }
            assertConnectionStillWorks(ada);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"name\":\"\",\"message\":\"hi\"}|name|must not be blank",
            "{\"name\":\"   \",\"message\":\"hi\"}|name|must not be blank",
            "{\"message\":\"hi\"}|name|must not be blank",
            "{\"name\":\"Ada\"}|message|must not be blank",
            "{\"name\":\"Ada\",\"message\":\" \\n\\t \"}|message|must not be blank",
            "{\"name\":\"Ada\\tLovelace\",\"message\":\"hi\"}|name|must not contain control characters",
            "{\"name\":\"Ada\\nLovelace\",\"message\":\"hi\"}|name|must not contain control characters",
            "{\"name\":\"Ada\",\"message\":\"nul \\u0000 here\"}|message|"
                    + "must not contain control characters other than newline and tab",
            "{\"name\":\"Ada\",\"message\":\"bell \\u0007\"}|message|"
                    + "must not contain control characters other than newline and tab",
            "{\"name\":\"Ada\",\"message\":\"lone \\ud800 surrogate\"}|message|must be valid Unicode text",
            "{\"name\":42,\"message\":\"hi\"}|name|must be a string",
            "{\"name\":\"Ada\",\"message\":[\"hi\"]}|message|must be a string",
            "{\"name\":\"Ada\",\"message\":\"hi\",\"ref\":{}}|ref|must be a string",
            "{\"name\":\"Ada\",\"message\":\"hi\",\"ref\":\"RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR\"}|ref|"
                    + "must be at most 64 characters",
    })
    void invalidShoutIsRefusedToItsSenderNamingTheFieldAndNeitherBroadcastNorStored(String testCase) {
        String[] parts = testCase.split("\\|");
        // Sent as written: the escapes (a lone surrogate among them) reach the server's JSON parser untouched
        String frame = "{\"type\":\"shout\"," + parts[0].substring(1);
        String room = newRoom();
        try (ChatClient sender = ChatClient.join(base, room); ChatClient listener = ChatClient.join(base, room)) {
            sender.send(frame);
            JsonObject error = sender.await("error");
            assertEquals("invalid", error.getString("code"));
            assertEquals(new JsonArray().add(new JsonObject().put("field", parts[1]).put("message", parts[2])),
                    error.getJsonArray("errors"), testCase);

            // A valid shout afterwards is the first and only one anybody hears
            sender.shout("Ada", "valid", "ok");
            sender.awaitAck("ok");
            assertEquals(List.of("valid"),
                    listener.await("shout", 1).stream().map(f -> f.getString("message")).toList());
            assertEquals(List.of("valid"),
                    sender.ofType("shout").stream().map(f -> f.getString("message")).toList());
            assertEquals(1, storedCount(room));
            assertTrue(listener.ofType("error").isEmpty(), "nobody else hears of the refusal");
        }
    }

    @Test
    void errorsNameEveryInvalidFieldAndEchoTheRef() {
        try (ChatClient ada = ChatClient.join(base, newRoom())) {
            ada.shout(" ", "x".repeat(Message.MESSAGE_MAX + 1), "both");
            JsonObject error = ada.awaitError("both");
            assertEquals("invalid", error.getString("code"));
            JsonArray errors = error.getJsonArray("errors");
            assertThat(IntStream.range(0, errors.size()).mapToObj(errors::getJsonObject).toList(), containsInAnyOrder(
                    new JsonObject().put("field", "name").put("message", "must not be blank"),
                    new JsonObject().put("field", "message").put("message", "must be at most 4000 characters")));
        }
    }

    @Test
    void newlinesAndTabsAreKeptInsideAMessage() {
        try (ChatClient ada = ChatClient.join(base, newRoom())) {
            ada.shout("Ada", "first line\n\tindented\nlast", "nl");
            JsonObject shout = ada.await("shout");
            assertEquals("first line\n\tindented\nlast", shout.getString("message"));
            ada.awaitAck("nl");
            assertEquals("first line\n\tindented\nlast", stored(shout.getString("id")).getString("message"));
        }
    }

    @Test
    void manyBadFramesNeitherCloseTheConnectionNorDisturbTheRoom() {
        String room = newRoom();
        try (ChatClient rogue = ChatClient.join(base, room); ChatClient ada = ChatClient.join(base, room)) {
            for (int i = 0; i < 50; i++) {
                rogue.send(i % 2 == 0 ? "garbage " + i : "{\"type\":\"shout\",\"name\":\"\",\"message\":\"x\"}");
                ada.shout("Ada", "still here " + i, "a" + i);
            }
            assertEquals(50, rogue.await("error", 50).size());
            List<JsonObject> heard = rogue.await("shout", 50);
            assertThat(heard.stream().map(f -> f.getString("name")).toList(), everyItem(is("Ada")));
            assertEquals(50, ada.await("ack", 50).size());
            assertTrue(ada.ofType("error").isEmpty());
            assertFalse(rogue.isClosed());
            assertConnectionStillWorks(rogue);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "Lobby", "has%20space", "caf%C3%A9", "dot.dot", "semi%3Bcolon",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
    void roomNameOutsideTheRuleIsRefusedAtTheHandshake(String room) {
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> ChatClient.connect(base, "/chat/" + room).toCompletionStage().toCompletableFuture()
                        .orTimeout(10, TimeUnit.SECONDS).join());
        UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, refused.getCause());
        assertEquals(400, rejected.getStatus());
    }

    @ParameterizedTest
    @ValueSource(strings = { "lobby", "a", "room-with_all-0123456789",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
    void roomNameWithinTheRuleIsAccepted(String room) {
        try (ChatClient client = ChatClient.join(base, room)) {
            assertThat(client.await("history"), notNullValue());
        }
    }

    @Test
    void shoutThatCannotBeStoredIsReportedNotStoredAndTheChatGoesOn() throws Exception {
        String room = newRoom();
        double failuresBefore = metric("slackir_shouts_store_failures_total");
        // A rule the validator cannot see: the database refuses the row after the broadcast
        ServiceDatabase.execute("alter table messages add constraint test_no_doom check (message <> 'doom')");
        try (ExpectedLog expected = ExpectedLog.of(Megaphone.class.getName(), "org.hibernate.orm.jdbc.error",
                "com.arjuna.ats.arjuna", "io.zonky.test.db.postgres.embedded.EmbeddedPostgres");
                ChatClient ada = ChatClient.join(base, room); ChatClient bob = ChatClient.join(base, room)) {
            ada.shout("Ada", "doom", "d");
            JsonObject shout = bob.await("shout");
            JsonObject error = ada.awaitError("d");
            assertThat(expected.await("ERROR", Megaphone.class.getName(), "was broadcast but not stored"),
                    containsString("test_no_doom"));
            assertEquals("not_stored", error.getString("code"));
            assertEquals(shout.getString("id"), error.getString("id"));
            assertThat(error.getString("message"), notNullValue());
            assertTrue(ada.ofType("ack").isEmpty());
            assertNull(stored(shout.getString("id")), "not found over HTTP: nothing was stored");
            assertThat(metric("slackir_shouts_store_failures_total"), greaterThan(failuresBefore));

            ada.shout("Ada", "fine", "f");
            ada.awaitAck("f");
            assertFalse(ada.isClosed());
        } finally {
            ServiceDatabase.execute("alter table messages drop constraint test_no_doom");
        }
    }

    private static void assertConnectionStillWorks(ChatClient client) {
        String ref = "alive-" + UUID.randomUUID();
        client.shout("Ada", "still connected", ref);
        assertThat(client.awaitAck(ref), notNullValue());
        assertFalse(client.isClosed());
        Awaitility.await().atMost(ChatClient.PATIENCE)
                .until(() -> client.find(f -> "shout".equals(f.getString("type"))
                        && "still connected".equals(f.getString("message"))).isPresent());
    }
}
