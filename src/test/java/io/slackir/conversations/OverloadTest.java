package io.slackir.conversations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.slackir.chat.ChatClient;
import io.vertx.core.json.JsonObject;

/**
 * A database that cannot keep up fills the backlog: at its bound new shouts are refused ({@code overloaded}, 503) and
 * nothing is broadcast, readiness goes DOWN; once the database catches up, everything accepted is stored and acked and
 * shouts are accepted again.
 */
@QuarkusTest
@Tag("end-to-end")
@TestProfile(OverloadTest.SmallBacklog.class)
class OverloadTest {

    private static final Logger LOG = Logger.getLogger(OverloadTest.class);
    static final int BACKLOG_MAX = 20;

    public static class SmallBacklog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("slackir.persistence.backlog-max", String.valueOf(BACKLOG_MAX),
                    "slackir.persistence.backlog-ready", "10");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void fullBacklogRefusesNewShoutsAsOverloadedUntilTheDatabaseCatchesUp() throws Exception {
        String room = "overload-" + UUID.randomUUID().toString().substring(0, 8);
        try (ChatClient ada = ChatClient.join(base, room); ChatClient bob = ChatClient.join(base, room);
                Connection db = dataSource.getConnection(); Statement statement = db.createStatement()) {
            // Hold every write back: SHARE mode blocks inserts, not reads
            db.setAutoCommit(false);
            statement.execute("lock table messages in share mode");

            for (int i = 0; i < BACKLOG_MAX; i++) {
                ada.shout("Ada", "held " + i, "h" + i);
            }
            List<String> accepted = bob.await("shout", BACKLOG_MAX).stream().map(f -> f.getString("id")).toList();

            ada.shout("Ada", "one too many", "over");
            JsonObject refused = ada.awaitError("over");
            assertEquals("overloaded", refused.getString("code"));
            given().contentType(ContentType.JSON)
                    .body("{\"name\": \"Bob\", \"message\": \"over HTTP\"}")
                    .when().post("/api/rooms/{room}/messages", room)
                    .then().statusCode(503)
                    .body("code", equalTo("overloaded"));
            given().when().get("/q/health/ready").then().statusCode(503);
            given().when().get("/q/health/live").then().statusCode(200);
            assertTrue(ada.ofType("ack").isEmpty(), "nothing is stored yet");
            LOG.infof("Backlog full: %d accepted, 2 refused as overloaded", accepted.size());

            db.rollback();

            assertThat(ada.await("ack", BACKLOG_MAX).stream().map(f -> f.getString("id")).toList(),
                    containsInAnyOrder(accepted.toArray()));
            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> given().get("/q/health/ready").statusCode() == 200);
            ada.shout("Ada", "after", "after");
            ada.awaitAck("after");
            // Neither refused shout was ever broadcast
            assertEquals(BACKLOG_MAX + 1, bob.ofType("shout").size());
            assertTrue(bob.ofType("shout").stream().noneMatch(f -> f.getString("message").contains("too many")
                    || f.getString("message").equals("over HTTP")));
            given().when().get("/api/rooms/{room}/messages?limit=200", room)
                    .then().statusCode(200)
                    .body("messages.size()", equalTo(BACKLOG_MAX + 1));
        }
    }
}
