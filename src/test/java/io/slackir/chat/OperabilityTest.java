package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static io.slackir.chat.Metrics.metric;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.UUID;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** What an operator sees over HTTP: readiness with the database and the backlog, and what the metrics count. */
@QuarkusTest
@Tag("contract")
class OperabilityTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void readinessChecksTheDatabase() {
        given()
                .when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
    }

    @Test
    void shoutsAreCountedByOutcome() {
        double accepted = metric("slackir_shouts_accepted_total");
        double stored = metric("slackir_shouts_stored_total");
        double malformed = metric("slackir_shouts_refused_total{code=\"malformed\"}");
        double invalid = metric("slackir_shouts_refused_total{code=\"invalid\"}");

        try (ChatClient client = ChatClient.join(base, "ops-" + UUID.randomUUID().toString().substring(0, 8))) {
            client.shout("Ada", "counted", "c").awaitAck("c");
            client.send("nope").await("error");
            client.shout("", "x", "bad").awaitError("bad");
        }

        assertEquals(accepted + 1, metric("slackir_shouts_accepted_total"));
        assertEquals(stored + 1, metric("slackir_shouts_stored_total"));
        assertEquals(malformed + 1, metric("slackir_shouts_refused_total{code=\"malformed\"}"));
        assertEquals(invalid + 1, metric("slackir_shouts_refused_total{code=\"invalid\"}"));
    }

    @Test
    void persistenceAndRoomsAreMeasured() {
        String room = "ops-" + UUID.randomUUID().toString().substring(0, 8);
        double deliveries = metric("slackir_broadcast_deliveries_total");
        double commits = metric("slackir_shouts_store_latency_seconds_count");
        double transactions = metric("slackir_shouts_store_batch_count");
        try (ChatClient ada = ChatClient.join(base, room); ChatClient bob = ChatClient.join(base, room)) {
            assertEquals(2, metric("slackir_room_connections{room=\"" + room + "\"}"));
            ada.shout("Ada", "measured", "m").awaitAck("m");
            assertEquals(deliveries + 2, metric("slackir_broadcast_deliveries_total"), "one per connection");
            assertEquals(commits + 1, metric("slackir_shouts_store_latency_seconds_count"));
            assertEquals(transactions + 1, metric("slackir_shouts_store_batch_count"), "a lone shout, a batch of one");
        }
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(text, containsString("slackir_shouts_backlog "));
        assertThat(text, containsString("slackir_shouts_store_retries_total "));
        assertThat(text, containsString("slackir_shouts_store_latency_seconds_bucket{le="));
        assertThat(text, containsString("slackir_shouts_store_batch{quantile=\"0.99\"}"));
        assertThat(text, containsString("slackir_connections "));
    }

    @Test
    void readinessReportsTheBacklog() {
        given()
                .when().get("/q/health/ready")
                .then().statusCode(200)
                .body("checks.find { it.name == 'Shouts waiting to be stored' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'Shouts waiting to be stored' }.data.threshold", equalTo(5000));
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
