package io.slackir.conversations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slackir.ExpectedLog;
import io.slackir.chat.ChatClient;
import io.vertx.core.json.JsonObject;

/**
 * The database goes away while people shout, and comes back: every shout accepted meanwhile is stored exactly once and
 * acked, the chat never stops, and readiness says what is going on.
 */
@QuarkusTest
@Tag("end-to-end")
class DatabaseOutageTest {

    private static final Logger LOG = Logger.getLogger(DatabaseOutageTest.class);
    private static final Duration OUTAGE = Duration.ofSeconds(4);
    /** The API's error mapping, above this package: named, not imported. */
    private static final String HTTP_ERRORS = "io.slackir.api.HttpErrors";

    @TestHTTPResource("/")
    URI base;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    MeterRegistry registry;

    @Test
    void everyShoutAcceptedWhileTheDatabaseIsDownIsStoredOnceAndAckedOnceItIsBack() throws Exception {
        EmbeddedDatabase database = EmbeddedDatabase.of(dataSource);
        String room = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        double retriesBefore = registry.counter("slackir.shouts.store.retries").count();
        AtomicBoolean shouting = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        List<ChatClient> clients = new ArrayList<>();
        String quiet = "outage-quiet-" + UUID.randomUUID().toString().substring(0, 8);
        // What Slackir says of the outage: shouts are retried, requests that need the database answer 503
        try (ExpectedLog expected = ExpectedLog.of(Backlog.class.getName(), HTTP_ERRORS);
                ChatClient listener = ChatClient.join(base, room); ChatClient regular = ChatClient.join(base, quiet)) {
            for (int i = 0; i < 3; i++) {
                regular.shout("regular", "before the outage " + i, "q" + i);
            }
            regular.await("ack", 3);
            int[] sent = new int[2];
            for (int s = 0; s < 2; s++) {
                ChatClient client = ChatClient.join(base, room);
                clients.add(client);
                int sender = s;
                senders.add(Thread.ofPlatform().start(() -> {
                    while (shouting.get()) {
                        client.shout("sender " + sender, "shout " + sent[sender], sender + "-" + sent[sender]);
                        sent[sender]++;
                        sleep(25);
                    }
                }));
            }
            // Shouts stored before the outage: some acks came, from each sender
            for (ChatClient client : clients) {
                client.await("ack", 5);
            }
            database.stop();
            long down = System.nanoTime();
            LOG.infof("Database stopped after %d + %d shouts", sent[0], sent[1]);

            // The chat goes on; readiness says the shouts cannot be stored, and history over HTTP is unavailable
            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> given().get("/q/health/ready").statusCode() == 503);
            given().when().get("/api/rooms/{room}/messages", room)
                    .then().statusCode(503).body("code", equalTo("unavailable"));
            expected.await("WARN", Backlog.class.getName(), "Storing shouts fails");
            expected.await("WARN", HTTP_ERRORS, "The database could not answer a request");
            // A room in memory has its latest shouts there: joining it needs no database, and its history is whole
            try (ChatClient newcomer = ChatClient.join(base, quiet)) {
                JsonObject history = newcomer.await("history");
                assertEquals(3, history.getJsonArray("messages").size(), history::toString);
                assertEquals(true, history.getBoolean("complete"), history::toString);
            }
            sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
            int sentWhileDown = sent[0] + sent[1];

            database.start();
            long up = System.nanoTime();
            LOG.infof("Database started again after %d ms down", (up - down) / 1_000_000);
            // Shouts accepted after the database is back, beside the retried ones
            int heardWhenUp = listener.ofType("shout").size();
            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> listener.ofType("shout").size() >= heardWhenUp + 10);
            shouting.set(false);
            for (Thread sender : senders) {
                sender.join();
            }
            int total = sent[0] + sent[1];
            LOG.infof("%d shouts sent, %d of them before the database came back", total, sentWhileDown);

            List<String> broadcast = listener.await("shout", total).stream().map(f -> f.getString("id")).toList();
            for (int s = 0; s < 2; s++) {
                List<JsonObject> acks = clients.get(s).await("ack", sent[s]);
                assertEquals(sent[s], acks.size(), "one ack per shout");
                assertTrue(clients.get(s).ofType("error").isEmpty(), "no error: " + clients.get(s).ofType("error"));
            }
            long acked = System.nanoTime();

            List<String> stored = EmbeddedDatabase.storedIds(dataSource, room);
            assertEquals(total, stored.size(), "each shout stored once");
            assertThat(stored, containsInAnyOrder(broadcast.toArray()));
            double retries = registry.counter("slackir.shouts.store.retries").count() - retriesBefore;
            assertThat(retries, greaterThan(0.0));
            LOG.infof("Outage: %d accepted, %d broadcast, %d stored, %d acked, %.0f retries; all acked %d ms after "
                    + "the database was back", total, broadcast.size(), stored.size(), total, retries,
                    (acked - up) / 1_000_000);

            Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> given().get("/q/health/ready").statusCode() == 200);
            given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            shouting.set(false);
            clients.forEach(ChatClient::close);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
