package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;

/**
 * jwt mode ({@code slackir.auth.mode=jwt}): who may connect, speak and read, and as whom. Black-box, through the
 * socket and HTTP; {@code SignedInIT} runs the same against the packaged application.
 */
@QuarkusTest
@Tag("contract")
@TestProfile(Tokens.JwtMode.class)
class SignedInTest {

    @TestHTTPResource("/")
    URI base;

    private static String room() {
        return "signed-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void theHandshakeNeedsAValidTokenAndNothingElseIsSaid() {
        String room = room();
        double missing = refused("missing", "socket");
        double signature = refused("signature", "socket");
        double expired = refused("expired", "socket");

        assertEquals(401, ChatClient.handshakeStatus(base, "/chat/" + room, h -> h));
        assertEquals(401, handshake(room, Tokens.forged("ada")));
        assertEquals(401, handshake(room, Tokens.otherIssuer("ada")));
        assertEquals(401, handshake(room, Tokens.expired("ada")));
        assertEquals(401, handshake(room, Tokens.otherAudience("ada")));
        assertEquals(401, handshake(room, "not-a-jwt"));
        assertEquals(101, handshake(room, Tokens.of("ada")));

        assertEquals(missing + 1, refused("missing", "socket"));
        assertEquals(signature + 1, refused("signature", "socket"));
        assertEquals(expired + 1, refused("expired", "socket"));
        assertTrue(refused("issuer", "socket") >= 1);
        assertTrue(refused("audience", "socket") >= 1);
    }

    private int handshake(String room, String token) {
        return ChatClient.handshakeStatus(base, "/chat/" + room, ChatClient.bearer(token));
    }

    private static double refused(String reason, String surface) {
        return Metrics.metric("slackir_auth_refused_total{reason=\"" + reason + "\",surface=\"" + surface + "\"}");
    }

    @Test
    void aBrowserCarriesItsTokenInTheSubprotocol() {
        String room = room();
        assertEquals(401, ChatClient.handshakeStatus(base, "/chat/" + room, ChatClient.carrier(Tokens.forged("ada"))));
        try (ChatClient ada = ChatClient.join(base, room, ChatClient.carrier(Tokens.of("ada")))) {
            ada.shout("ada", "over the carrier", "1");
            assertEquals("ada", ada.await("shout").getString("name"));
            ada.awaitAck("1");
        }
    }

    @Test
    void theTokenNamesTheSpeakerWhateverTheClientSays() {
        String room = room();
        try (ChatClient ada = ChatClient.join(base, room + "?name=Mallory", ChatClient.bearer(Tokens.of("ada")));
                ChatClient bob = ChatClient.join(base, room, ChatClient.bearer(Tokens.of("bob")))) {
            Awaitility.await().atMost(ChatClient.PATIENCE)
                    .until(() -> bob.members().equals(Map.of("ada", 1, "bob", 1)));
            assertEquals(0, bob.unnamed());

            ada.shout("Mallory", "who am I?", "1");
            JsonObject shout = bob.await(f -> "shout".equals(f.getString("type")));
            assertEquals("ada", shout.getString("name"), "the name in the frame is ignored");
            ada.send(new JsonObject().put("type", "shout").put("message", "no name at all").put("ref", "2"));
            ada.awaitAck("2");

            given().header("Authorization", "Bearer " + Tokens.of("bob")).contentType(ContentType.JSON)
                    .body(Map.of("name", "Ada", "message", "over HTTP")).when()
                    .post("/api/rooms/{room}/messages", room)
                    .then().statusCode(202).body("name", equalTo("bob"));
            given().header("Authorization", "Bearer " + Tokens.of("bob")).contentType(ContentType.JSON)
                    .body(Map.of("message", "no name over HTTP")).when()
                    .post("/api/rooms/{room}/messages", room)
                    .then().statusCode(202).body("name", equalTo("bob"));
        }
    }

    @Test
    void theHttpApiNeedsTheSameBearer() {
        String room = room();
        String id;
        try (ChatClient ada = ChatClient.join(base, room, ChatClient.bearer(Tokens.of("ada")))) {
            ada.shout("ada", "stored", "1");
            id = ada.awaitAck("1").getString("id");
        }
        double http = refused("missing", "http");
        for (String path : new String[] { "/api/rooms/" + room + "/messages", "/api/messages/" + id,
                "/api/rooms/" + room + "/presence" }) {
            given().when().get(path).then().statusCode(401).header("WWW-Authenticate", "Bearer")
                    .body("code", equalTo("unauthorized"));
            given().header("Authorization", "Bearer " + Tokens.forged("ada")).when().get(path)
                    .then().statusCode(401).body("code", equalTo("unauthorized"));
            given().header("Authorization", "Bearer " + Tokens.of("ada")).when().get(path).then().statusCode(200);
        }
        given().contentType(ContentType.JSON).body(Map.of("message", "anonymous")).when()
                .post("/api/rooms/{room}/messages", room).then().statusCode(401);
        assertEquals(http + 4, refused("missing", "http"));
    }

    @Test
    void aPrivateRoomIsOpenOnlyToItsGroupAndLeaksNothing() {
        String ada = Tokens.of("ada", "room:ops", "staff");
        String bob = Tokens.of("bob", "staff");
        String id;
        try (ChatClient in = ChatClient.join(base, "ops", ChatClient.bearer(ada))) {
            in.shout("ada", "for ops only", "1");
            id = in.awaitAck("1").getString("id");

            assertEquals(403, handshake("ops", bob));
            for (String path : new String[] { "/api/rooms/ops/messages", "/api/rooms/ops/presence" }) {
                given().header("Authorization", "Bearer " + bob).when().get(path).then().statusCode(403)
                        .body("code", equalTo("forbidden")).body("messages", nullValue()).body("members", nullValue());
            }
            given().header("Authorization", "Bearer " + bob).contentType(ContentType.JSON)
                    .body(Map.of("message", "let me in")).when().post("/api/rooms/ops/messages")
                    .then().statusCode(403);
            // By id, a shout of a room one may not enter is as absent as one never stored
            given().header("Authorization", "Bearer " + bob).when().get("/api/messages/" + id).then().statusCode(404)
                    .body("code", equalTo("not_found"));
            given().header("Authorization", "Bearer " + ada).when().get("/api/messages/" + id).then().statusCode(200)
                    .body("room", equalTo("ops"));
            assertTrue(in.find(f -> "let me in".equals(f.getString("message"))).isEmpty());
            // Not even the metrics name it: a private room has no per-room gauge
            assertEquals(0, Metrics.connectionsIn("ops"));
        }
        // A pattern, and a group that is a pattern
        assertEquals(403, handshake("team-red", bob));
        assertEquals(101, handshake("team-red", Tokens.of("cy", "room:team-red")));
        assertEquals(101, handshake("team-blue", Tokens.of("di", "room:team-*")));
        assertEquals(101, handshake("lobby", bob), "a room no pattern names is open to everyone signed in");
        assertTrue(refused("private_room", "socket") >= 2);
    }

    @Test
    void anExpiredTokenClosesItsConnectionAndAFreshOnePicksUpWhereItLeftOff() {
        String room = room();
        try (ChatClient bob = ChatClient.join(base, room, ChatClient.bearer(Tokens.of("bob")))) {
            ChatClient ada = ChatClient.join(base, room,
                    ChatClient.bearer(Tokens.expiringIn(Duration.ofSeconds(3), "ada")));
            ada.shout("ada", "before it expires", "1");
            String last = ada.awaitAck("1").getString("id");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ada.closeStatus() != null);
            assertEquals((short) 4401, ada.closeStatus());
            Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> !bob.members().containsKey("ada"));

            bob.shout("bob", "while ada was away", "2");
            bob.awaitAck("2");
            assertEquals(401, handshake(room, Tokens.expired("ada")));
            try (ChatClient back = ChatClient.join(base, room + "?after=" + last,
                    ChatClient.bearer(Tokens.of("ada")))) {
                JsonObject history = back.await("history");
                assertEquals(1, history.getJsonArray("messages").size());
                assertEquals("while ada was away", history.getJsonArray("messages").getJsonObject(0)
                        .getString("message"));
                assertTrue(history.getBoolean("complete"));
            }
        }
    }

    @Test
    void theDevScriptMintsATokenThatSignsIn() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process mint = new ProcessBuilder(java, "dev/Token.java", "eve", "room:ops", "--minutes", "5").start();
        String token = new String(mint.getInputStream().readAllBytes()).strip();
        assertEquals(0, mint.waitFor(), new String(mint.getErrorStream().readAllBytes()));
        assertEquals(101, handshake("ops", token));
        given().header("Authorization", "Bearer " + token).when().get("/api/session").then()
                .statusCode(200).body("name", equalTo("eve"));
    }

    @Test
    void theSessionSaysHowToSignInAndWhoTheCallerIs() {
        given().when().get("/api/session").then().statusCode(200).body("mode", equalTo("jwt"))
                .body("signInUrl", equalTo("https://sso.example/auth?client_id=slackir&response_type=token"))
                .body("name", nullValue());
        given().header("Authorization", "Bearer " + Tokens.forged("ada")).when().get("/api/session").then()
                .statusCode(200).body("name", nullValue());
        given().header("Authorization", "Bearer " + Tokens.of("ada")).when().get("/api/session").then()
                .statusCode(200).body("name", equalTo("ada")).body("expiresAt", org.hamcrest.Matchers.notNullValue());
    }
}
