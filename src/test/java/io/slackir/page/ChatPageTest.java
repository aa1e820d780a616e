package io.slackir.page;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.websockets.next.OpenConnections;
import io.slackir.chat.ChatClient;
import io.vertx.core.json.JsonObject;

/**
 * The chat page at {@code /}, in two real browsers (Debian's headless Chromium): what one types the other sees, history
 * after a reload, text never run as HTML, validation errors where they belong, a reconnect that repeats nothing, who is
 * here and who is typing (in a second tab too), what an empty room says, the form on a phone.
 */
@QuarkusTest
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatPageTest {

    /**
     * More than a history frame holds (200): the page gets the newest 200 in its history and must page the rest over
     * HTTP, in two pages of up to 200.
     */
    private static final int MISSED = 450;

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
    void emptyRoomSaysHowToStartUntilItsFirstShoutAndNotAgainAfterAReconnect() throws Exception {
        String room = newRoom();
        open(room);
        String hint = "No messages in #" + room + " yet. Say hello below — everyone in the room sees it at once.";
        for (Browser page : List.of(ada, bob)) {
            assertEquals(hint, page.emptyRoom());
            assertEquals("p", page.driver.findElement(By.id("empty")).getTagName(), "text, not a picture");
        }
        try {
            ada.screenshot("empty-desktop", 1280, 800);
            ada.screenshot("empty-phone", 375, 667);
        } finally {
            ada.driver.manage().window().setSize(new Dimension(1280, 800));
        }

        bob.shout("Bob", "Hello, anyone?");
        assertEquals("", bob.emptyRoom(), "gone as the own shout shows, before it is acked");
        ada.awaitMessages(1);
        assertEquals("", ada.emptyRoom(), "gone once the shout arrives");

        // The reconnect's history (after the last shout shown) is empty and complete: the room is not empty for that
        connections.stream().filter(c -> room.equals(c.pathParam("room"))).forEach(c -> c.closeAndAwait());
        ada.awaitStatus("Connection lost");
        ada.awaitStatus("Connected");
        assertEquals("", ada.emptyRoom());
        assertEquals(1, ada.messages().size());
    }

    @Test
    void onAPhoneTheMessageBoxIsJustUnderTheNameFieldAndOnADesktopBesideIt() {
        ada.open(base + "#/" + newRoom());
        try {
            ada.driver.manage().window().setSize(new Dimension(375, 667));
            Rectangle name = rect("#name");
            Rectangle label = rect("label[for=message]");
            Rectangle message = rect("#message");
            Rectangle send = rect(".send");
            int gap = message.getY() - (name.getY() + name.getHeight());
            String layout = "name " + box(name) + ", label " + box(label) + ", message " + box(message) + ", send "
                    + box(send);
            assertTrue(label.getY() >= name.getY() + name.getHeight()
                    && label.getY() + label.getHeight() <= message.getY(), "the label between them: " + layout);
            assertTrue(gap <= label.getHeight() + 16, "nothing but the label between them: " + gap + " px; " + layout);
            assertTrue(Math.abs(send.getY() + send.getHeight() - (message.getY() + message.getHeight())) <= 2
                    && send.getX() > message.getX() + message.getWidth(), "Send beside the box: " + layout);
        } finally {
            ada.driver.manage().window().setSize(new Dimension(1280, 800));
        }
        Rectangle name = rect("#name");
        Rectangle message = rect("#message");
        assertTrue(Math.abs(name.getY() - message.getY()) <= 2 && message.getX() > name.getX() + name.getWidth(),
                "one row on a desktop: name " + box(name) + ", message " + box(message));
    }

    private Rectangle rect(String selector) {
        return ada.driver.findElement(By.cssSelector(selector)).getRect();
    }

    private static String heading(Browser page) {
        return page.driver.findElement(By.id("people-heading")).getText();
    }

    private static String box(Rectangle r) {
        return "(" + r.getX() + ", " + r.getY() + ") " + r.getWidth() + "×" + r.getHeight();
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
            new WebDriverWait(page.driver, Browser.PATIENCE).withMessage(() -> "members: " + page.members())
                    .until(d -> page.members().contains(name));
            assertNull(page.js("return window.__xss"), "nothing ran");
            assertEquals(0L, page.js("return document.querySelectorAll("
                    + "'#messages img, #messages script, #messages b, #people img').length"));
        }
    }

    @Test
    void namedPagesListEachOtherAndShowWhoIsTypingUntilTheShoutArrives() throws Exception {
        open(newRoom());
        ada.name("Ada");
        bob.name("Bob");
        ada.awaitMembers(List.of("Ada", "Bob"));
        bob.awaitMembers(List.of("Ada", "Bob"));
        // A renamed page's old, unnamed connection stays until its shouts are acked: counted for a moment after the list
        new WebDriverWait(ada.driver, Browser.PATIENCE).withMessage(() -> "heading: " + heading(ada))
                .until(d -> heading(ada).equals("2 here"));
        assertEquals("(you)", ada.driver.findElement(By.cssSelector("#people-list .member-note")).getText());

        bob.type("Hi Ada, I was just");
        ada.awaitTyping("Bob is typing…");
        long typingSeen = System.nanoTime();
        assertEquals("polite", ada.driver.findElement(By.id("typing")).getDomAttribute("aria-live"));
        assertEquals("", bob.typing(), "nobody else is typing");
        ada.screenshot("presence-desktop", 1280, 800);

        bob.type(" saying hello").driver.findElement(By.id("message")).sendKeys(Keys.ENTER);
        assertEquals("Hi Ada, I was just saying hello", ada.awaitMessages(1).get(0).get("text"));
        // The shout and the end of the typing line are one step of the page: never one without the other
        assertEquals("", ada.typing(), "the shout ends the typing line");
        assertTrue(System.nanoTime() - typingSeen < Duration.ofSeconds(5).toNanos(),
                "cleared by the shout, well before the 6 s a typing frame lasts");

        // On a phone: the count, which opens the list
        try {
            ada.screenshot("presence-phone", 390, 844);
            WebElement toggle = ada.driver.findElement(By.id("people-toggle"));
            WebElement list = ada.driver.findElement(By.id("people-list"));
            assertEquals("2 here", toggle.getText());
            assertEquals("false", toggle.getDomAttribute("aria-expanded"));
            assertFalse(list.isDisplayed());
            toggle.click();
            assertEquals("true", toggle.getDomAttribute("aria-expanded"));
            assertTrue(list.isDisplayed());
            ada.screenshot("presence-phone-open", 390, 844);
            toggle.click();
            assertFalse(list.isDisplayed());
        } finally {
            ada.driver.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    @Test
    void secondTabWithThePagesDefaultsSeesTheFirstHereAndTyping() {
        String url = base + "#/" + newRoom();
        try (Browser tabs = Browser.start()) {
            tabs.open(url).name("Ada");
            tabs.awaitMembers(List.of("Ada"));
            String first = tabs.driver.getWindowHandle();

            // The README's second tab: the same browser, nothing typed in it
            tabs.driver.switchTo().newWindow(WindowType.TAB);
            tabs.open(url);
            String second = tabs.driver.getWindowHandle();
            assertEquals("", tabs.driver.findElement(By.id("name")).getDomProperty("value"), "Ada is the first tab");
            tabs.awaitMembers(List.of("Ada"));
            assertEquals("", tabs.driver.findElement(By.cssSelector("#people-list .member-note")).getText(),
                    "someone else, not (you)");

            tabs.driver.switchTo().window(first);
            tabs.type("Hello from the first tab");
            tabs.driver.switchTo().window(second);
            tabs.awaitTyping("Ada is typing…");

            // The first tab keeps its name across a reload; once it is closed, a new tab is offered the name again
            tabs.driver.switchTo().window(first).navigate().refresh();
            tabs.awaitStatus("Connected");
            assertEquals("Ada", tabs.driver.findElement(By.id("name")).getDomProperty("value"));
            tabs.driver.close();
            tabs.driver.switchTo().window(second);
            tabs.driver.switchTo().newWindow(WindowType.TAB);
            tabs.open(url);
            assertEquals("Ada", tabs.driver.findElement(By.id("name")).getDomProperty("value"));
        }
    }

    @Test
    void typingLineNamesTwoThenCountsTheRestAndChangesOnlyWhenWhoTypesChanges() {
        String room = newRoom();
        ada.open(base + "#/" + room);
        List<ChatClient> others = Stream.of("Cy", "Dee", "Eve", "Fay")
                .map(name -> ChatClient.join(base, room + "?name=" + name)).toList();
        try {
            ada.js("""
                    window.__typingChanges = 0;
                    new MutationObserver(records => window.__typingChanges += records.length).observe(
                        document.getElementById('typing'), { childList: true, characterData: true, subtree: true });
                    """);
            ChatClient cy = others.get(0);
            typing(cy);
            ada.awaitTyping("Cy is typing…");
            typing(others.get(1));
            ada.awaitTyping("Cy and Dee are typing…");
            typing(others.get(2));
            ada.awaitTyping("Cy, Dee and Eve are typing…");
            typing(others.get(3));
            ada.awaitTyping("Cy, Dee and 2 others are typing…");

            // Cy types on: the line is not written again (a screen reader would say it again), until Cy's shout, which
            // Cy's repeated typing frames precede
            typing(cy);
            typing(cy);
            cy.shout("Cy", "done", "c1");
            ada.awaitTyping("Dee, Eve and Fay are typing…");
            assertEquals(5L, ada.js("return window.__typingChanges"), "one change for each change of who types");

            // Who leaves is no longer typing; the rest are forgotten 6 s after their last typing frame. The page learns of
            // a leave from presence, which says what changed over 200 ms: Fay's join must have been told first, or her
            // join and leave in one window tell nothing
            new WebDriverWait(ada.driver, Browser.PATIENCE).withMessage(() -> "members: " + ada.members())
                    .until(d -> ada.members().contains("Fay"));
            others.get(3).close();
            ada.awaitTyping("Dee and Eve are typing…");
            ada.awaitTyping("");
        } finally {
            others.forEach(ChatClient::close);
        }
    }

    private static void typing(ChatClient client) {
        client.send(new JsonObject().put("type", "typing"));
    }

    @Test
    void renamedPageIsListedUnderTheNewNameAndShowsEveryShoutOnce() throws Exception {
        String room = newRoom();
        open(room);
        ada.shout("Ada", "one");
        bob.shout("Bob", "two");
        bob.awaitMembers(List.of("Ada", "Bob"));
        awaitConfirmed(ada, 2);

        try (Connection db = dataSource.getConnection(); Statement statement = db.createStatement()) {
            // Hold the write back: the shout sent under the old name keeps the old connection until its ack
            db.setAutoCommit(false);
            statement.execute("lock table messages in share mode");
            ada.type("three").typeName("Ada Lovelace").driver.findElement(By.id("name")).sendKeys(Keys.ENTER);
            bob.awaitMembers(List.of("Ada", "Ada Lovelace", "Bob"));
            assertEquals(3, bob.awaitMessages(3).size());
            assertEquals("Ada Lovelace", bob.messages().get(2).get("name"));
            assertEquals(3L, roomConnections(room), "the new connection, and the old one until its ack");
            db.rollback();
        }
        bob.awaitMembers(List.of("Ada Lovelace", "Bob"));
        ada.awaitMembers(List.of("Ada Lovelace", "Bob"));
        awaitConfirmed(ada, 3);
        Awaitility.await().atMost(Browser.PATIENCE).until(() -> roomConnections(room) == 2);

        bob.shout("Bob", "four");
        for (Browser page : List.of(ada, bob)) {
            List<Map<String, String>> shown = page.awaitMessages(4);
            assertEquals(List.of("one", "two", "three", "four"), shown.stream().map(m -> m.get("text")).toList());
            assertEquals(4, new HashSet<>(shown.stream().map(m -> m.get("id")).toList()).size(), "each id once");
        }
    }

    private void awaitConfirmed(Browser page, int count) {
        new WebDriverWait(page.driver, Browser.PATIENCE).withMessage(() -> page.messages().toString())
                .until(d -> page.messages().size() >= count
                        && page.messages().stream().allMatch(m -> "confirmed".equals(m.get("state"))));
    }

    private long roomConnections(String room) {
        return connections.stream().filter(c -> room.equals(c.pathParam("room"))).count();
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
        List<String> missed;
        // In one burst over a socket of its own: as many shouts over HTTP took half a minute
        try (ChatClient other = ChatClient.join(base, room)) {
            for (int i = 0; i < MISSED; i++) {
                other.shoutQuickly("Bob", "missed " + i, "m" + i);
            }
            missed = other.await("shout", MISSED).stream().map(f -> f.getString("id")).toList();
            other.await("ack", MISSED);
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
