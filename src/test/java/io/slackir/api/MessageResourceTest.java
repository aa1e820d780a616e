package io.slackir.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.slackir.chat.ChatClient;
import io.vertx.core.json.JsonObject;

/** The HTTP API, black-box with rest-assured: history pages, one shout, shouting over HTTP, and every error. */
@QuarkusTest
@Tag("contract")
class MessageResourceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URI base;

    private static String newRoom() {
        return "h-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** Shouts over HTTP and returns the 202 answer's body. */
    private static JsonPath post(String room, String name, String message) {
        return given().contentType(ContentType.JSON)
                .body(new JsonObject().put("name", name).put("message", message).encode())
                .when().post("/api/rooms/{room}/messages", room)
                .then().statusCode(202)
                .extract().jsonPath();
    }

    private static void awaitStored(String id) {
        Awaitility.await().atMost(PATIENCE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(() -> given().get("/api/messages/{id}", id).statusCode() == 200);
    }

    /**
     * Shouts {@code count} times in a room, one after another on one socket, and waits until all are stored (acked):
     * their ids in order. Over the socket, not HTTP: a page's worth of shouts is made in a burst, not 201 requests.
     */
    private List<String> shoutStored(String room, int count) {
        try (ChatClient client = ChatClient.join(base, room)) {
            for (int i = 1; i <= count; i++) {
                client.shoutQuickly("Ada", "shout " + i, "s" + i);
            }
            List<String> ids = client.await("shout", count).stream().map(f -> f.getString("id")).toList();
            client.await("ack", count);
            return ids;
        }
    }

    @Test
    void postedShoutIsAcceptedWithItsIdAndLocationThenStored() {
        String room = newRoom();
        Response response = given().contentType(ContentType.JSON)
                .body("{\"name\": \"  Ada \", \"message\": \" Hello, HTTP \"}")
                .when().post("/api/rooms/{room}/messages", room)
                .then().statusCode(202)
                .contentType(ContentType.JSON)
                .body("id", notNullValue())
                .body("room", equalTo(room))
                .body("name", equalTo("Ada"))
                .body("message", equalTo("Hello, HTTP"))
                .body("insertedAt", endsWith("Z"))
                .extract().response();
        String id = response.path("id");
        assertEquals(base.resolve("/api/messages/" + id).toString(), response.header("Location"));

        awaitStored(id);
        given()
                .when().get(response.header("Location"))
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("id", equalTo(id))
                .body("room", equalTo(room))
                .body("name", equalTo("Ada"))
                .body("message", equalTo("Hello, HTTP"))
                .body("insertedAt", equalTo(response.path("insertedAt")));
    }

    @Test
    void emojiAreWrittenAsUtf8NotAsEscapes() {
        String room = newRoom();
        String body = given().contentType(ContentType.JSON)
                .body("{\"name\": \"Ada\", \"message\": \"Hello 👋\"}")
                .when().post("/api/rooms/{room}/messages", room)
                .then().statusCode(202)
                .contentType("application/json;charset=UTF-8")
                .extract().asString();
        assertThat(body, containsString("\"message\":\"Hello 👋\""));
    }

    @Test
    void shoutPostedOverHttpArrivesAtWebSocketClientsOfThatRoomOnly() {
        String room = newRoom();
        try (ChatClient inRoom = ChatClient.join(base, room);
                ChatClient elsewhere = ChatClient.join(base, newRoom())) {
            inRoom.await("history");
            elsewhere.await("history");

            String id = post(room, "Grace", "over HTTP").getString("id");

            JsonObject shout = inRoom.await(f -> "shout".equals(f.getString("type")));
            assertEquals(id, shout.getString("id"));
            assertEquals("Grace", shout.getString("name"));
            assertEquals("over HTTP", shout.getString("message"));
            assertEquals(room, shout.getString("room"));
            // The other room's client got its history (and its own room's presence) and nothing since
            awaitStored(id);
            assertEquals(List.of("history"), elsewhere.frames().stream().map(f -> f.getString("type"))
                    .filter(t -> !t.startsWith("presence")).toList());
        }
    }

    @Test
    void shoutPostedOverHttpIsInTheHistoryOfALaterJoiner() {
        String room = newRoom();
        String id = post(room, "Ada", "for later").getString("id");
        try (ChatClient later = ChatClient.join(base, room)) {
            JsonObject history = later.await("history");
            assertEquals(id, history.getJsonArray("messages").getJsonObject(0).getString("id"));
        }
    }

    @Test
    void pagesWalkBackThroughTheRoomWithNoGapsAndNoRepeats() {
        String room = newRoom();
        List<String> ids = shoutStored(room, 7);

        given()
                .when().get("/api/rooms/{room}/messages?limit=3", room)
                .then().statusCode(200)
                .body("messages.id", contains(ids.get(4), ids.get(5), ids.get(6)))
                .body("messages.message", contains("shout 5", "shout 6", "shout 7"))
                .body("complete", is(false))
                .body("next", equalTo("/api/rooms/" + room + "/messages?before=" + ids.get(4) + "&limit=3"))
                .header("Link", equalTo("</api/rooms/" + room + "/messages?before=" + ids.get(4) + "&limit=3>; rel=\"next\""));

        // Follow next until complete: every shout once, oldest first within each page
        List<String> seen = new ArrayList<>();
        String next = "/api/rooms/" + room + "/messages?limit=3";
        int pages = 0;
        while (next != null) {
            JsonPath page = given().when().get(next).then().statusCode(200).extract().jsonPath();
            List<String> pageIds = page.getList("messages.id");
            seen.addAll(0, pageIds);
            next = page.getString("next");
            pages++;
            assertEquals(next == null, page.getBoolean("complete"));
        }
        assertEquals(3, pages);
        assertEquals(ids, seen);
    }

    @Test
    void pageBeforeTheOldestIsEmptyAndComplete() {
        String room = newRoom();
        List<String> ids = shoutStored(room, 2);
        given()
                .when().get("/api/rooms/{room}/messages?before={id}", room, ids.getFirst())
                .then().statusCode(200)
                .body("messages", empty())
                .body("complete", is(true))
                .body("next", nullValue())
                .header("Link", nullValue());
        // A page that ends exactly at the oldest shout is complete too: nothing older is stored
        given()
                .when().get("/api/rooms/{room}/messages?before={id}&limit=1", room, ids.get(1))
                .then().statusCode(200)
                .body("messages.id", contains(ids.getFirst()))
                .body("complete", is(true));
    }

    @Test
    void pageOfARoomWithNoShoutsIsEmptyAndComplete() {
        given()
                .when().get("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("messages", empty())
                .body("complete", is(true))
                .body("next", nullValue());
    }

    @Test
    void pageHoldsFiftyByDefaultAndAtMostTwoHundred() {
        String room = newRoom();
        List<String> ids = shoutStored(room, 201);
        given()
                .when().get("/api/rooms/{room}/messages", room)
                .then().statusCode(200)
                .body("messages", hasSize(50))
                .body("messages[49].id", equalTo(ids.getLast()))
                .body("complete", is(false));
        given()
                .when().get("/api/rooms/{room}/messages?limit=200", room)
                .then().statusCode(200)
                .body("messages", hasSize(200))
                .body("messages[0].id", equalTo(ids.get(1)))
                .body("complete", is(false));
    }

    @Test
    void pageHoldsOnlyItsOwnRoom() {
        String room = newRoom();
        String other = newRoom();
        List<String> ids = shoutStored(room, 1);
        shoutStored(other, 1);
        given()
                .when().get("/api/rooms/{room}/messages", room)
                .then().statusCode(200)
                .body("messages.id", contains(ids.getFirst()))
                .body("messages.room", contains(room));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=0              | limit  | must be a whole number from 1 to 200",
            "limit=201            | limit  | must be a whole number from 1 to 200",
            "limit=ten            | limit  | must be a whole number from 1 to 200",
            "limit=99999999999999 | limit  | must be a whole number from 1 to 200",
            "before=nope          | before | must be a UUID",
            "before=1-1-1-1-1     | before | must be a UUID",
    })
    void pageWithABadParameterIsRefusedNamingIt(String query, String field, String message) {
        given()
                .when().get("/api/rooms/lobby/messages?" + query)
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("code", equalTo("invalid"))
                .body("errors.field", contains(field))
                .body("errors.message", contains(message));
    }

    @Test
    void emptyLimitMeansTheDefault() {
        given()
                .when().get("/api/rooms/{room}/messages?limit=&before=", newRoom())
                .then().statusCode(200)
                .body("complete", is(true));
    }

    @Test
    void pageOfAnInvalidRoomIsRefusedWithEveryBadParameterNamed() {
        given()
                .when().get("/api/rooms/{room}/messages?before=x&limit=0", "Not-A-Room")
                .then().statusCode(400)
                .body("code", equalTo("invalid"))
                .body("errors.field", contains("room", "before", "limit"));
    }

    @Test
    void unknownShoutIsNotFound() {
        given()
                .when().get("/api/messages/{id}", UUID.randomUUID())
                .then().statusCode(404)
                .contentType(ContentType.JSON)
                .body("code", equalTo("not_found"))
                .body("message", startsWith("no shout "));
    }

    @ParameterizedTest
    @ValueSource(strings = { "not-a-uuid", "1-1-1-1-1", "019ab3c4-5d6e-7f80-9a1b-2c3d4e5f607", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz" })
    void malformedShoutIdIsRefused(String id) {
        given()
                .when().get("/api/messages/{id}", id)
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("code", equalTo("invalid"))
                .body("errors.field", contains("id"))
                .body("errors.message", contains("must be a UUID"));
    }

    @Test
    void invalidShoutIsRefusedWithEachFieldNamedAndNotBroadcastOrStored() {
        String room = newRoom();
        try (ChatClient listener = ChatClient.join(base, room)) {
            listener.await("history");
            given().contentType(ContentType.JSON)
                    .body("{\"name\": \"   \", \"message\": \"" + "x".repeat(4001) + "\"}")
                    .when().post("/api/rooms/{room}/messages", room)
                    .then().statusCode(400)
                    .contentType(ContentType.JSON)
                    .body("code", equalTo("invalid"))
                    .body("message", equalTo("the shout is invalid"))
                    .body("errors.field", contains("name", "message"))
                    .body("errors.message", contains("must not be blank", "must be at most 4000 characters"));

            // A valid shout after it is the first thing the room sees
            String id = post(room, "Ada", "after the refusal").getString("id");
            assertEquals(id, listener.await("shout").getString("id"));
            assertEquals(1, listener.ofType("shout").size());
            awaitStored(id);
        }
        given()
                .when().get("/api/rooms/{room}/messages", room)
                .then().statusCode(200)
                .body("messages.message", contains("after the refusal"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"message\": \"hi\"}                   | name    | must not be blank",
            "{\"name\": null, \"message\": \"hi\"}   | name    | must not be blank",
            "{\"name\": 42, \"message\": \"hi\"}     | name    | must be a string",
            "{\"name\": \"Ada\", \"message\": [\"hi\"]} | message | must be a string",
            "{\"name\": \"Ada\", \"message\": \"a\\u0000b\"} | message | must not contain control characters other than newline and tab",
            "{\"name\": \"A\\nda\", \"message\": \"hi\"} | name  | must not contain control characters",
            "{\"name\": \"\\ud800\", \"message\": \"hi\"} | name   | must be valid Unicode text",
    })
    void shoutFieldsFollowTheSocketRules(String body, String field, String message) {
        given().contentType(ContentType.JSON)
                .body(body)
                .when().post("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(400)
                .body("code", equalTo("invalid"))
                .body("errors.field", contains(field))
                .body("errors.message", contains(message));
    }

    @Test
    void shoutInAnInvalidRoomIsRefused() {
        given().contentType(ContentType.JSON)
                .body("{\"name\": \"Ada\", \"message\": \"hi\"}")
                .when().post("/api/rooms/{room}/messages", "Lobby!")
                .then().statusCode(400)
                .body("code", equalTo("invalid"))
                .body("errors.field", contains("room"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"name\": \"Ada\", \"message\": ", "not json", "{\"name\": 'Ada'}", "[1, 2]", "42",
            "\"shout\"", "null" })
    void malformedBodyIsA400WithAClearMessage(String body) {
        given().contentType(ContentType.JSON)
                .body(body)
                .when().post("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("code", equalTo("malformed"))
                .body("message", startsWith("the body is not"))
                .body("$", not(hasKey("stackTrace")));
    }

    @Test
    void emptyBodyIsMalformed() {
        given().contentType(ContentType.JSON)
                .when().post("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(400)
                .contentType(ContentType.JSON)
                .body("code", equalTo("malformed"));
    }

    @Test
    void bodyLargerThanAnyValidShoutIsA413() {
        String huge = "{\"name\": \"Ada\", \"message\": \"" + "x".repeat(70_000) + "\"}";
        given().contentType(ContentType.JSON)
                .body(huge)
                .when().post("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(413)
                .contentType(ContentType.JSON)
                .body("code", equalTo("too_large"));
    }

    @Test
    void largestValidShoutFitsTheBodyLimitEvenWithEveryCharacterEscaped() {
        // 4,000 emoji, each written as two \\uXXXX escapes: 48 kB of JSON for a valid shout
        String escaped = "\\ud83d\\ude00".repeat(4000);
        given().contentType(ContentType.JSON)
                .body("{\"name\": \"" + "\\ud83d\\ude00".repeat(64) + "\", \"message\": \"" + escaped + "\"}")
                .when().post("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(202)
                .body("message", equalTo("\uD83D\uDE00".repeat(4000)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = { "text/plain|Ada: hi", "application/x-www-form-urlencoded|name=Ada&message=hi",
            "application/xml|<shout><name>Ada</name><message>hi</message></shout>" })
    void bodyThatIsNotJsonIsA415(String contentType, String body) {
        // Each body what its type says: XML that is not XML made the test's own client print a parse error
        given().contentType(contentType)
                .body(body)
                .when().post("/api/rooms/{room}/messages", newRoom())
                .then().statusCode(415)
                .contentType(ContentType.JSON)
                .body("code", equalTo("unsupported_media_type"));
    }

    @Test
    void unknownPathAndWrongMethodAreJsonErrors() {
        given()
                .when().delete("/api/rooms/{room}/messages", "lobby")
                .then().statusCode(405)
                .contentType(ContentType.JSON)
                .body("code", equalTo("method_not_allowed"));
        given()
                .when().get("/api/rooms/{room}/nothing", "lobby")
                .then().statusCode(404)
                .contentType(ContentType.JSON)
                .body("code", equalTo("not_found"));
    }

    private static JsonPath openApi() {
        return given().accept(ContentType.JSON)
                .when().get("/q/openapi?format=json")
                .then().statusCode(200)
                .extract().jsonPath();
    }

    @Test
    void openApiDocumentNamesEveryEndpointWithItsParametersAndResponses() {
        JsonPath api = openApi();
        String page = "paths.'/api/rooms/{room}/messages'.get";
        assertEquals(List.of("room", "before", "limit"), api.getList(page + ".parameters.name"));
        assertEquals(200, api.getInt(page + ".parameters.find { it.name == 'limit' }.schema.maximum"));
        assertEquals(Set.of("200", "400", "401", "403", "503"), api.getMap(page + ".responses").keySet());

        String one = "paths.'/api/messages/{id}'.get";
        assertEquals(List.of("id"), api.getList(one + ".parameters.name"));
        assertEquals(Set.of("200", "400", "401", "404", "503"), api.getMap(one + ".responses").keySet());

        String shout = "paths.'/api/rooms/{room}/messages'.post";
        assertEquals(List.of("room"), api.getList(shout + ".parameters.name"));
        assertEquals(Set.of("202", "400", "401", "403", "413", "415", "503"),
                api.getMap(shout + ".responses").keySet());
        assertEquals(List.of("name", "message"),
                api.getList(shout + ".requestBody.content.'application/json'.schema.required"));
        assertEquals(4000, api.getInt(
                shout + ".requestBody.content.'application/json'.schema.properties.message.maxLength"));
    }

    @Test
    void openApiDocumentDeclaresTheBearerSchemeWhereATokenIsNeeded() {
        JsonPath api = openApi();
        assertEquals(Set.of("bearer"), api.getMap("components.securitySchemes").keySet(), "one scheme, ours");
        String bearer = "components.securitySchemes.bearer";
        assertEquals("http", api.getString(bearer + ".type"));
        assertEquals("bearer", api.getString(bearer + ".scheme"));
        assertEquals("JWT", api.getString(bearer + ".bearerFormat"));
        assertTrue(api.getString(bearer + ".description").contains("Only in jwt mode"));
        assertNull(api.get("security"), "not the whole API: the session needs no token");

        String room = "paths.'/api/rooms/{room}";
        for (String operation : List.of(room + "/messages'.get", room + "/messages'.post", room + "/presence'.get",
                "paths.'/api/messages/{id}'.get")) {
            assertEquals(List.of(Map.of("bearer", List.of())), api.getList(operation + ".security"), operation);
            String unauthorized = operation + ".responses.'401'";
            assertTrue(api.getString(unauthorized + ".description").startsWith("`unauthorized`"), operation);
            assertEquals("#/components/schemas/ApiError",
                    api.getString(unauthorized + ".content.'application/json'.schema.'$ref'"), operation);
            assertTrue(api.getMap(unauthorized + ".headers").containsKey("WWW-Authenticate"), operation);
            if (operation.startsWith(room)) {
                assertTrue(api.getString(operation + ".responses.'403'.description").startsWith("`forbidden`"),
                        operation);
            }
        }
        // By id a shout of a room one may not enter is a 404, as if never stored: never a 403
        assertNull(api.get("paths.'/api/messages/{id}'.get.responses.'403'"));
        String session = "paths.'/api/session'.get";
        assertNull(api.get(session + ".security"));
        assertEquals(Set.of("200"), api.getMap(session + ".responses").keySet());
    }
}
