package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static io.slackir.chat.Metrics.metric;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Who is here and who is typing, on one node, as clients see it: the room's members right after the history, then
 * batched diffs of joins and leaves; two tabs of one name are one member; typing reaches the others only, and is
 * neither stored nor acked. Black-box: {@code PresenceIT} runs the same against the packaged application.
 */
@QuarkusTest
@Tag("contract")
class PresenceTest {

    @TestHTTPResource("/")
    URI base;

    private static String newRoom() {
        return "p-" + UUID.randomUUID().toString().substring(0, 13);
    }

    private ChatClient join(String room, String name) {
        return ChatClient.join(base, room + "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    @Test
    void joinerGetsWhoIsHereRightAfterTheHistoryAndEveryoneHearsOfItsArrival() {
        String room = newRoom();
        try (ChatClient ada = join(room, "Ada")) {
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> ada.members().equals(Map.of("Ada", 1)));
            try (ChatClient bo = join(room, "Bo")) {
                List<String> types = bo.frames().stream().map(f -> f.getString("type")).limit(2).toList();
                assertEquals(List.of("history", "presence"), types, "presence comes right after the history");
                JsonObject presence = bo.await("presence");
                assertEquals("Ada", presence.getJsonArray("members").getJsonObject(0).getString("name"));
                assertTrue(presence.getJsonArray("members").getJsonObject(0).getString("since").endsWith("Z"));
                Awaitility.await().atMost(ChatClient.PATIENCE)
                        .until(() -> ada.members().equals(Map.of("Ada", 1, "Bo", 1))
                                && bo.members().equals(Map.of("Ada", 1, "Bo", 1)));
            }
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> ada.members().equals(Map.of("Ada", 1)));
            JsonObject leave = ada.frames().stream().filter(f -> "presence_diff".equals(f.getString("type")))
                    .reduce((a, b) -> b).orElseThrow();
            assertEquals(new JsonArray().add("Bo"), leave.getJsonArray("leaves"));
        }
    }

    @Test
    void twoTabsOfOneNameAreOneMemberAndClosingOneIsNoLeave() {
        String room = newRoom();
        try (ChatClient watcher = join(room, "Cy"); ChatClient tab1 = join(room, "Ada")) {
            try (ChatClient tab2 = join(room, "Ada")) {
                Awaitility.await().atMost(ChatClient.PATIENCE)
                        .until(() -> watcher.members().equals(Map.of("Ada", 2, "Cy", 1)));
            }
            Awaitility.await().atMost(ChatClient.PATIENCE)
                    .until(() -> watcher.members().equals(Map.of("Ada", 1, "Cy", 1)));
            assertTrue(watcher.ofType("presence_diff").stream()
                    .allMatch(d -> d.getJsonArray("leaves").isEmpty()), "one tab closing is not Ada leaving");
        }
    }

    @Test
    void aCrowdJoiningReachesEachMemberAsAFewDiffsNotOneFramePerJoin() {
        String room = newRoom();
        List<ChatClient> crowd = new ArrayList<>();
        try (ChatClient ada = join(room, "Ada")) {
            // Together, as a crowd arrives: every join is under way before the first has its history
            crowd.addAll(IntStream.range(0, 40).parallel().mapToObj(i -> join(room, "guest " + i)).toList());
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> ada.members().size() == 41);
            int diffs = ada.ofType("presence_diff").size();
            assertThat("40 joins in " + diffs + " diffs", diffs, lessThanOrEqualTo(15));
            ChatClient last = crowd.getLast();
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> last.members().size() == 41);
        } finally {
            crowd.forEach(ChatClient::close);
        }
    }

    @Test
    void unnamedConnectionsAreCountedNotListedAndAnInvalidNameIsRefusedAsAShoutsWouldBe() {
        String room = newRoom();
        try (ChatClient ada = join(room, "Ada"); ChatClient nobody = ChatClient.join(base, room);
                ChatClient bad = join(room, "bell\u0007")) {
            JsonObject error = bad.frames().getFirst();
            assertEquals("error", error.getString("type"), "before the history");
            assertEquals("invalid", error.getString("code"));
            assertEquals(new JsonObject().put("field", "name").put("message", "must not contain control characters"),
                    error.getJsonArray("errors").getJsonObject(0));
            Awaitility.await().atMost(ChatClient.PATIENCE)
                    .until(() -> ada.members().equals(Map.of("Ada", 1)) && ada.unnamed() == 2);
            bad.shout("Bell", "still served", "s").awaitAck("s");
        }
    }

    @Test
    void typingReachesTheOthersOnlyAndIsNeitherStoredNorAcked() {
        String room = newRoom();
        try (ChatClient ada = join(room, "Ada"); ChatClient bo = join(room, "Bo");
                ChatClient nobody = ChatClient.join(base, room)) {
            double relayed = metric("slackir_typing_relayed_total");
            ada.send(new JsonObject().put("type", "typing").put("extra", "ignored"));
            assertEquals(new JsonObject().put("type", "typing").put("name", "Ada"), bo.await("typing"));
            nobody.await("typing");
            nobody.send(new JsonObject().put("type", "typing")); // unnamed: nobody to show, dropped
            ada.shout("Ada", "done typing", "d").awaitAck("d");
            bo.await("shout");
            assertEquals(1, bo.ofType("typing").size(), "the unnamed one's typing went nowhere");
            assertTrue(ada.ofType("typing").isEmpty(), "not back to the one typing");
            assertTrue(ada.ofType("ack").size() == 1 && ada.ofType("error").isEmpty(), "nothing acks a typing");
            assertEquals(relayed + 1, metric("slackir_typing_relayed_total"));
        }
        given().when().get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages.message", contains("done typing"));
    }

    @Test
    void presenceOverHttpSaysWhoIsHereWithTheCounts() {
        String room = newRoom();
        given().when().get("/api/rooms/" + room + "/presence").then().statusCode(200)
                .body("members", empty()).body("count", equalTo(0)).body("connections", equalTo(0));
        try (ChatClient a1 = join(room, "Ada"); ChatClient a2 = join(room, "Ada");
                ChatClient nobody = ChatClient.join(base, room)) {
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given()
                    .when().get("/api/rooms/" + room + "/presence")
                    .then().statusCode(200)
                    .body("room", equalTo(room))
                    .body("members.name", contains("Ada"))
                    .body("members[0].connections", equalTo(2))
                    .body("unnamed", equalTo(1)).body("count", equalTo(1)).body("connections", equalTo(3)));
        }
        given().when().get("/api/rooms/NOT-A-ROOM/presence").then().statusCode(400)
                .body("code", equalTo("invalid")).body("errors[0].field", equalTo("room"));
    }
}
