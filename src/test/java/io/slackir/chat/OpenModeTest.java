package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;

/**
 * Open mode, the default: a bearer token changes nothing, as before identity existed. Whatever a client sends in
 * {@code Authorization} (garbage, or a JWT naming someone else), it connects, reads and shouts under the name it
 * gives. Black-box; {@code OpenModeIT} runs the same against the packaged application.
 */
@QuarkusTest
@Tag("contract")
class OpenModeTest {

    /** Not a token at all, and one that looks right but names another and is signed by no one the service knows. */
    private static final List<String> BEARERS = List.of("Bearer garbage", "Bearer " + Tokens.forged("mallory"));

    @TestHTTPResource("/")
    URI base;

    private static String room() {
        return "open-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aBearerChangesNothingAtTheHandshake() {
        for (String bearer : BEARERS) {
            String room = room();
            String token = bearer.substring(7);
            try (ChatClient ada = ChatClient.join(base, room + "?name=Ada", ChatClient.bearer(token));
                    ChatClient bob = ChatClient.join(base, room + "?name=Bob", ChatClient.carrier(token))) {
                Awaitility.await().atMost(ChatClient.PATIENCE)
                        .until(() -> bob.members().equals(Map.of("Ada", 1, "Bob", 1)));
                ada.shout("Ada", "as I say", "1");
                ada.awaitAck("1");
                JsonObject shout = bob.await(f -> "shout".equals(f.getString("type")));
                assertEquals("Ada", shout.getString("name"), "the name the client gives, not the token's");
            }
        }
    }

    @Test
    void aBearerChangesNothingOverHttp() {
        for (String bearer : BEARERS) {
            String room = room();
            String id = given().header("Authorization", bearer).contentType(ContentType.JSON)
                    .body(Map.of("name", "Ada", "message", "over HTTP")).when()
                    .post("/api/rooms/{room}/messages", room)
                    .then().statusCode(202).body("name", equalTo("Ada")).extract().path("id");
            given().header("Authorization", bearer).when().get("/api/rooms/{room}/presence", room)
                    .then().statusCode(200);
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> given().header("Authorization", bearer)
                    .when().get("/api/messages/{id}", id).then().extract().statusCode() == 200);
            given().header("Authorization", bearer).when().get("/api/rooms/{room}/messages", room)
                    .then().statusCode(200).body("messages[0].name", equalTo("Ada"));
        }
    }

    @Test
    void theSessionSaysOpenAndNothingMore() {
        assertEquals(Map.of("mode", "open"), given().when().get("/api/session")
                .then().statusCode(200).extract().jsonPath().getMap("$"));
        for (String bearer : BEARERS) {
            assertEquals(Map.of("mode", "open"), given().header("Authorization", bearer).when().get("/api/session")
                    .then().statusCode(200).extract().jsonPath().getMap("$"));
        }
    }
}
