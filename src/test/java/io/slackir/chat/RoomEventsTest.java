package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * The room event seam on one node: an ephemeral event reaches every connection of its room and no other, in order with
 * the shouts, and is neither remembered (no history, no reconnect holds it), nor stored, nor acked.
 */
@QuarkusTest
@Tag("contract")
class RoomEventsTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Rooms rooms;

    private static String newRoom() {
        return "e-" + UUID.randomUUID().toString().substring(0, 13);
    }

    @Test
    void ephemeralEventReachesEveryConnectionOfItsRoomInOrderWithShoutsAndNoOtherRoom() {
        String room = newRoom();
        try (ChatClient ada = ChatClient.join(base, room);
                ChatClient bob = ChatClient.join(base, room);
                ChatClient stranger = ChatClient.join(base, newRoom())) {
            String before = ada.shout("Ada", "before", "1").awaitAck("1").getString("id");
            assertTrue(rooms.publish(new Wave(room, "Ada")), "the room is open here");
            ada.shout("Ada", "after", "2").awaitAck("2");

            for (ChatClient client : List.of(ada, bob)) {
                client.await("shout", 2);
                JsonObject wave = client.await("wave");
                assertEquals(new JsonObject().put("type", "wave").put("room", room).put("name", "Ada"), wave,
                        "the frame as the event wrote it, serialized once for all");
                List<String> types = client.frames().stream().map(f -> f.getString("type"))
                        .filter(t -> !t.equals("ack") && !t.startsWith("presence")).toList();
                assertEquals(List.of("history", "shout", "wave", "shout"), types, "in the order they happened");
            }
            assertFalse(ada.frames().stream().anyMatch(f -> "ack".equals(f.getString("type"))
                    && f.getString("ref") == null), "nothing acks a wave");
            assertTrue(stranger.ofType("wave").isEmpty(), "another room hears nothing of it");

            try (ChatClient late = ChatClient.join(base, room);
                    ChatClient back = ChatClient.join(base, room + "?after=" + before)) {
                assertEquals(List.of("before", "after"), messages(late.await("history")), "not in the history");
                assertEquals(List.of("after"), messages(back.await("history")), "not in a reconnect's history");
                assertTrue(late.ofType("wave").isEmpty() && back.ofType("wave").isEmpty(), "nor sent after it");
            }
        }
        given().when().get("/api/rooms/" + room + "/messages").then().statusCode(200)
                .body("messages.message", org.hamcrest.Matchers.contains("before", "after"));
    }

    @Test
    void ephemeralEventInARoomNobodyIsInGoesNowhereAndOpensNoRoom() {
        String room = newRoom();
        assertFalse(rooms.publish(new Wave(room, "Ada")));
        assertTrue(rooms.get(room) == null, "no room was opened for it");
        given().when().get("/api/rooms/" + room + "/messages").then().statusCode(200).body("messages", empty());
    }

    private static List<String> messages(JsonObject history) {
        return history.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("message")).toList();
    }
}
