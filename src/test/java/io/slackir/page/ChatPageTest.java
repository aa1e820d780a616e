package io.slackir.page;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.OpenConnections;

/**
 * The chat page at {@code /}, in two real browsers (Debian's headless Chromium): what one types the other sees, history
 * after a reload, text never run as HTML, validation errors where they belong, and a reconnect that repeats nothing.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatPageTest {

    /** More than one history frame holds: the page must page the rest over HTTP. */
    private static final int MISSED = 1000;

    @TestHTTPResource("/")
    URI base;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    OpenConnections connections;

    Browser ada;
    Browser bob;

    @BeforeAll
    void startBrowsers() {
        Browser.assumeInstalled();
        ada = Browser.start();
        bob = Browser.start();
    }

    @AfterAll
    void stopBrowsers() {
        if (ada != null) {
            ada.close();
        }
        if (bob != null) {
            bob.close();
        }
    }

    private String open(String room) {
        String url = base + "#/" + room;
        ada.open(url);
        bob.open(url);
        return url;
    }

    private static String newRoom() {
        return "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void pageIsServedWithAStrictContentSecurityPolicy() {
        given()
                .when().get("/")
                .then().statusCode(200)
                .contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", not(containsString("unsafe-inline")))
                .header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Referrer-Policy", equalTo("no-referrer"));
    }

    @Test
    void lobbyIsTheRoomOfThePlainAddress() {
        ada.open(base.toString());
        assertEquals("lobby", ada.driver.findElement(By.id("room")).getDomProperty("value"));
        assertTrue(ada.status().contains("#lobby"), ada.status());
    }

    @Test
    void shoutTypedInOnePageShowsPendingThenConfirmedAndAppearsInTheOtherAndAfterAReload() throws Exception {
        String url = open(newRoom());
        try (Connection db = dataSource.getConnection(); Statement statement = db.createStatement()) {
            // Hold the write back, so the pending state can be seen before the ack
            db.setAutoCommit(false);
            statement.execute("lock table messages in share mode");
            ada.shout("Ada", "Hello from Ada");
            List<Map<String, String>> mine = ada.awaitMessages(1);
            assertTrue(List.of("pending", "sent").contains(mine.get(0).get("state")), mine.toString());
            assertEquals("Hello from Ada", bob.awaitMessages(1).get(0).get("text"));
            db.rollback();
        }
        new WebDriverWait(ada.driver, Browser.PATIENCE).withMessage(() -> ada.messages().toString())
                .until(d -> "confirmed".equals(ada.messages().get(0).get("state")));
        Map<String, String> seen = bob.messages().get(0);
        assertEquals("Ada", seen.get("name"));
        assertEquals(ada.messages().get(0).get("id"), seen.get("id"));

        bob.driver.navigate().refresh();
        bob.awaitStatus("Connected");
        List<Map<String, String>> history = bob.awaitMessages(1);
        assertEquals(1, history.size(), "shown once, from history");
        assertEquals("Hello from Ada", history.get(0).get("text"));
        assertEquals(url, bob.driver.getCurrentUrl());

        bob.shout("Bob", "Hi Ada, a long one: " + "lorem ipsum ".repeat(20));
        ada.awaitMessages(2);
        ada.screenshot("chat-desktop", 1280, 800);
        ada.screenshot("chat-phone", 390, 844);
        ada.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 800));
    }

    @Test
    void markupInANameOrMessageIsShownAsTextAndRunsNothing() {
        open(newRoom());
        String name = "<img src=x onerror=window.__xss=1>";
        String message = "<script>window.__xss=2</script><b>bold?</b> <img src=x onerror=\"window.__xss=3\">";
        ada.shout(name, message);
        for (Browser page : List.of(ada, bob)) {
            Map<String, String> shown = page.awaitMessages(1).get(0);
            assertEquals(name, shown.get("name"));
            assertEquals(message, shown.get("text"));
            assertNull(page.js("return window.__xss"), "nothing ran");
            assertEquals(0L, page.js(
                    "return document.querySelectorAll('#messages img, #messages script, #messages b').length"));
        }
    }

    @Test
    void blankNameShowsTheValidationErrorNextToTheField() {
        open(newRoom());
        ada.shout("", "nobody said this");
        new WebDriverWait(ada.driver, Browser.PATIENCE)
                .until(d -> !d.findElement(By.id("name-error")).getText().isEmpty());
        assertEquals("name must not be blank", ada.driver.findElement(By.id("name-error")).getText());
        assertEquals("true", ada.driver.findElement(By.id("name")).getDomAttribute("aria-invalid"));
        Map<String, String> failed = ada.messages().get(0);
        assertEquals("failed", failed.get("state"));
        assertEquals("name must not be blank", failed.get("problem"));
        // The message is given back to fix the name and send again; the other page saw nothing
        assertEquals("nobody said this", ada.driver.findElement(By.id("message")).getDomProperty("value"));
        assertTrue(bob.messages().isEmpty());

        ada.shout("Ada", "");
        ada.driver.findElement(By.id("message")).sendKeys(org.openqa.selenium.Keys.ENTER);
        assertEquals("nobody said this", bob.awaitMessages(1).get(0).get("text"));
    }

    @Test
    void droppedSocketIsFollowedByAReconnectThatShowsNoMessageTwice() {
        String room = newRoom();
        open(room);
        bob.shout("Bob", "before the drop 1");
        bob.shout("Bob", "before the drop 2");
        ada.awaitMessages(2);

        // The server drops every connection of the room, as a restart or a proxy would
        connections.stream().filter(c -> room.equals(c.pathParam("room"))).forEach(c -> c.closeAndAwait());
        ada.awaitStatus("Connection lost");
        ada.awaitStatus("Connected");
        bob.awaitStatus("Connected");

        bob.shout("Bob", "after the reconnect");
        List<Map<String, String>> shown = ada.awaitMessages(3);
        assertEquals(List.of("before the drop 1", "before the drop 2", "after the reconnect"),
                shown.stream().map(m -> m.get("text")).toList());
        assertEquals(3, new HashSet<>(shown.stream().map(m -> m.get("id")).toList()).size(), "each id once");
        assertEquals(3, bob.messages().size());
    }

    @Test
    void pageCutOffWhileOthersShoutShowsEveryMissedShoutOnceAfterItReconnects() {
        String room = newRoom();
        open(room);
        bob.shout("Bob", "seen by both");
        ada.awaitMessages(1);

        ada.offline(true);
        connections.stream().filter(c -> room.equals(c.pathParam("room"))).forEach(c -> c.closeAndAwait());
        ada.awaitStatus("Connection lost");
        bob.awaitStatus("Connected");
        List<String> missed = new java.util.ArrayList<>();
        for (int i = 0; i < MISSED; i++) {
            missed.add(given().contentType("application/json")
                    .body("{\"name\": \"Bob\", \"message\": \"missed " + i + "\"}")
                    .when().post("/api/rooms/{room}/messages", room)
                    .then().statusCode(202).extract().path("id"));
        }
        assertEquals(1, ada.messages().size(), "the cut-off page saw none of them");

        long back = System.nanoTime();
        ada.offline(false);
        List<Map<String, String>> shown = new WebDriverWait(ada.driver, Browser.PATIENCE)
                .withMessage(() -> ada.messages().size() + " shown; " + ada.status())
                .until(d -> {
                    List<Map<String, String>> now = ada.messages();
                    return now.size() >= MISSED + 1 ? now : null;
                });
        long complete = System.nanoTime();
        org.jboss.logging.Logger.getLogger(ChatPageTest.class).infof(
                "Recovered %d missed shouts in the page %d ms after the network came back (status: %s)", MISSED,
                (complete - back) / 1_000_000, ada.status());
        assertEquals(MISSED + 1, shown.size());
        assertEquals(missed, shown.subList(1, shown.size()).stream().map(m -> m.get("id")).toList(),
                "every missed shout, once, in order");
        assertEquals(MISSED + 1, new HashSet<>(shown.stream().map(m -> m.get("id")).toList()).size());
    }
}
