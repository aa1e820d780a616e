package io.slackir.page;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.websockets.next.OpenConnections;
import io.slackir.chat.ChatClient;
import io.slackir.chat.Tokens;
import io.vertx.core.json.JsonObject;

/**
 * The chat page in jwt mode, in a real browser (Debian's headless Chromium): signed out it says so and opens nothing;
 * it signs in through the deployment's sign-in URL ({@link StubSignInResource}) and speaks under the token's name over
 * the bearer-token-carrier subprotocol; a private room it may not enter says so; an expired token signs in again and
 * the room picks up after the last shout shown, losing nothing and showing nothing twice.
 */
@QuarkusTest
@Tag("end-to-end")
@TestProfile(SignedInPageTest.SignInHere.class)
class SignedInPageTest {

    /** jwt mode as {@link Tokens.JwtMode} sets it, signing in at {@link StubSignInResource}. */
    public static class SignInHere implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Tokens.JwtMode.signingInAt("/test-sign-in?client_id=slackir&response_type=token");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    OpenConnections connections;

    Browser page;

    @BeforeAll
    static void browserInstalled() {
        Browser.assumeInstalled();
    }

    @BeforeEach
    void startBrowser() {
        StubSignInResource.reset();
        page = Browser.start().watchingSockets();
    }

    @AfterEach
    void stopBrowser() {
        if (page != null) {
            page.close();
        }
    }

    private static String newRoom() {
        return "s-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Opens the page in a room, signed out, and signs in through the sign-in URL. */
    private void signIn(String room) {
        page.driver.get(base + "#/" + room);
        page.awaitStatus("You are signed out.");
        page.driver.findElement(By.id("sign-in")).click();
    }

    private WebElement find(String selector) {
        return page.driver.findElement(By.cssSelector(selector));
    }

    private String text(String selector) {
        return find(selector).getText();
    }

    /** What the page says in place of the name field, as read aloud (on a desktop the name has a line of its own). */
    private String signedInAs() {
        return text("#identity .identity-who").replaceAll("\\s+", " ");
    }

    private long roomConnections(String room) {
        return connections.stream().filter(c -> room.equals(c.pathParam("room"))).count();
    }

    private void awaitConfirmed(int count) {
        new WebDriverWait(page.driver, Browser.PATIENCE).withMessage(() -> page.messages().toString())
                .until(d -> page.messages().size() == count
                        && page.messages().stream().allMatch(m -> "confirmed".equals(m.get("state"))));
    }

    private static long shouts(ChatClient client, String message) {
        return client.ofType("shout").stream().filter(f -> message.equals(f.getString("message"))).count();
    }

    @Test
    void signedOutPageSaysSoOffersTheSignInAndOpensNoSocket() throws Exception {
        String room = newRoom();
        page.driver.get(base + "#/" + room);
        page.awaitStatus("You are signed out.");

        assertEquals("You are signed out.", text("#gate-headline"));
        assertEquals("Sign in to read and write in #" + room + ".", text("#gate-more"));
        WebElement signIn = find("#sign-in");
        assertEquals("button", signIn.getTagName());
        assertEquals("Sign in", signIn.getText());
        assertTrue(signIn.isDisplayed());
        assertEquals("polite", find("#status").getDomAttribute("aria-live"));
        assertFalse(find("#name").isDisplayed(), "no name field: the token names the speaker");
        assertFalse(find("#identity").isDisplayed());
        assertFalse(find("#message").isEnabled());
        assertEquals(0L, page.sockets(), "no socket without a token");
        assertEquals(0L, roomConnections(room));
        assertTrue(StubSignInResource.VISITS.isEmpty(), "nor a sign-in the reader did not ask for");
        try {
            page.screenshot("signed-out-desktop", 1280, 800);
            page.screenshot("signed-out-phone", 375, 667);
            assertTrue(find("#sign-in").isDisplayed());
            assertEquals(0L, page.js("return document.documentElement.scrollWidth - window.innerWidth;"),
                    "nothing wider than a phone");
        } finally {
            page.driver.manage().window().setSize(new Dimension(1280, 800));
        }
    }

    @Test
    void signingInThroughTheSignInUrlShowsTheNameAndTheRoomHearsTheShoutUnderIt() throws Exception {
        String room = newRoom();
        signIn(room);
        page.awaitStatus("Connected to #" + room);

        assertEquals("Signed in as ada", signedInAs());
        assertFalse(find("#name").isDisplayed());
        Map<String, String> visit = StubSignInResource.VISITS.getFirst();
        assertEquals("slackir", visit.get("client_id"), "the sign-in URL's own parameters are kept");
        assertEquals(base.toString(), visit.get("redirect_uri"), "back to the page, without a fragment");
        assertTrue(visit.get("state").startsWith(room + "."), "the room, and a nonce: " + visit.get("state"));
        String token = StubSignInResource.TOKENS.getFirst();
        assertEquals(base + "#/" + room, page.driver.getCurrentUrl(), "the token left the address at once");
        assertEquals(token, page.token(), "kept in sessionStorage");

        try (ChatClient bob = ChatClient.join(base, room, ChatClient.carrier(Tokens.of("bob")))) {
            page.awaitMembers(List.of("ada", "bob"));
            assertEquals("(you)", text("#people-list .member-note"));
            page.say("Hello from a signed-in page");
            JsonObject heard = bob.await(f -> "shout".equals(f.getString("type")));
            assertEquals("ada", heard.getString("name"), "the token's name: the page names no one");
            assertEquals("Hello from a signed-in page", heard.getString("message"));
            awaitConfirmed(1);
            assertEquals("ada", page.messages().getFirst().get("name"));
            assertEquals(heard.getString("id"), page.messages().getFirst().get("id"));

            bob.shout("bob", "Hi ada", "1");
            assertEquals("Hi ada", page.awaitMessages(2).get(1).get("text"));
            page.screenshot("signed-in-desktop", 1280, 800);
            Rectangle identity = find("#identity").getRect();
            Rectangle message = find("#message").getRect();
            assertTrue(identity.getX() + identity.getWidth() <= message.getX()
                    && identity.getY() < message.getY() + message.getHeight(),
                    "beside the message box on a desktop, where the name field was");
            try {
                page.screenshot("signed-in-phone", 375, 667);
                identity = find("#identity").getRect();
                message = find("#message").getRect();
                Rectangle signOut = find("#sign-out").getRect();
                assertTrue(identity.getY() + identity.getHeight() <= message.getY(), "over the message box on a phone");
                assertTrue(signOut.getY() < identity.getY() + identity.getHeight()
                        && signOut.getX() + signOut.getWidth() <= 375, "Sign out on the same line, on screen");
                assertEquals(0L, page.js("return document.documentElement.scrollWidth - window.innerWidth;"));
            } finally {
                page.driver.manage().window().setSize(new Dimension(1280, 800));
            }
        }
    }

    @Test
    void signingOutForgetsTheTokenClosesTheSocketAndSaysSo() {
        String room = newRoom();
        signIn(room);
        page.awaitStatus("Connected to #" + room);
        Awaitility.await().atMost(Browser.PATIENCE).until(() -> roomConnections(room) == 1);

        find("#sign-out").click();
        page.awaitStatus("You are signed out.");
        assertNull(page.token());
        assertFalse(find("#identity").isDisplayed());
        assertTrue(find("#sign-in").isDisplayed());
        Awaitility.await().atMost(Browser.PATIENCE).until(() -> roomConnections(room) == 0);

        page.driver.navigate().refresh();
        page.awaitStatus("You are signed out.");
        assertEquals(0L, page.sockets(), "still signed out after a reload");
    }

    @Test
    void aPrivateRoomWithoutItsGroupSaysSoWithoutRetryingAndOtherRoomsStillOpen() throws Exception {
        StubSignInResource.user = "bob";
        signIn("ops");
        page.awaitStatus("#ops is private: you may not enter it.");
        assertEquals("#ops is private: you may not enter it.", text("#gate-headline"));
        assertFalse(find("#sign-in").isDisplayed(), "signing in again would not help");
        assertFalse(find("#message").isEnabled());
        page.screenshot("denied-desktop", 1280, 800);
        // Refused once, and not tried again: no reconnect loop
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> page.sockets() == 1);
        assertEquals("#ops is private: you may not enter it.", page.status());

        String room = newRoom();
        find("#room").sendKeys(Keys.chord(Keys.CONTROL, "a"), room, Keys.ENTER);
        page.awaitStatus("Connected to #" + room);
        assertFalse(find("#gate").isDisplayed());
        assertTrue(find("#message").isEnabled());
        page.say("bob was here");
        awaitConfirmed(1);

        // And with the room's group, the room is open
        find("#sign-out").click();
        StubSignInResource.user = "cy";
        StubSignInResource.groups = new String[] { "room:ops" };
        page.driver.get(base + "#/ops");
        page.awaitStatus("You are signed out.");
        find("#sign-in").click();
        page.awaitStatus("Connected to #ops");
        try (ChatClient ops = ChatClient.join(base, "ops", ChatClient.bearer(Tokens.of("di", "room:ops")))) {
            page.say("cy in ops");
            JsonObject heard = ops.await(f -> "cy in ops".equals(f.getString("message")));
            assertEquals("cy", heard.getString("name"));
        }
    }

    @Test
    void aSignInThePageDidNotStartIsNotUsed() {
        page.driver.get(base + "#access_token=" + Tokens.of("mallory") + "&token_type=Bearer&state=lobby.forged");
        page.awaitStatus("You are signed out.");
        assertEquals(base + "#/lobby", page.driver.getCurrentUrl(), "the token left the address all the same");
        assertNull(page.token());
        assertTrue(text("#gate-more").startsWith("That sign-in was not started here"), text("#gate-more"));
        assertEquals(0L, page.sockets());
    }

    @Test
    void anExpiredTokenSignsInAgainAndTheRoomPicksUpLosingNothingAndShowingNothingTwice() {
        String room = newRoom();
        try (ChatClient bob = ChatClient.join(base, room, ChatClient.carrier(Tokens.of("bob")))) {
            bob.shout("bob", "before ada came", "b0");
            bob.awaitAck("b0");
            StubSignInResource.NEXT_LIFETIME.set(Duration.ofSeconds(6));
            signIn(room);
            page.awaitStatus("Connected to #" + room);
            page.awaitMessages(1);
            Awaitility.await().atMost(Browser.PATIENCE).until(() -> bob.members().containsKey("ada"));

            // Just before the token expires the link goes bad: this shout arrives, but its broadcast and ack are lost
            page.deaf();
            page.say("said as it expired");
            bob.await(f -> "said as it expired".equals(f.getString("message")));
            // and this one is lost on the way
            page.mute();
            page.say("lost on the way out");
            page.type("half typed as it expired");
            bob.shout("bob", "while ada was away", "b1");
            bob.awaitAck("b1");
            assertEquals(1, StubSignInResource.VISITS.size());

            // The server closes with 4401; the page signs in again by itself and comes back with a fresh token
            new WebDriverWait(page.driver, Browser.PATIENCE).withMessage(() -> "sign-ins: " + StubSignInResource.VISITS)
                    .until(d -> StubSignInResource.TOKENS.size() == 2);
            new WebDriverWait(page.driver, Browser.PATIENCE).withMessage(() -> "status: " + page.status())
                    .until(d -> StubSignInResource.TOKENS.get(1).equals(page.token())
                            && page.status().equals("Connected to #" + room));
            assertTrue(StubSignInResource.VISITS.get(1).get("state").startsWith(room + "."));
            assertEquals(base + "#/" + room, page.driver.getCurrentUrl());
            assertEquals("Signed in as ada", signedInAs());

            awaitConfirmed(4);
            List<Map<String, String>> shown = page.messages();
            assertEquals(List.of("before ada came", "said as it expired", "while ada was away", "lost on the way out"),
                    shown.stream().map(m -> m.get("text")).toList(),
                    "the shout that arrived once, the one lost sent again, the one missed shown");
            assertEquals(4, new HashSet<>(shown.stream().map(m -> m.get("id")).toList()).size(), "each id once");
            assertEquals("half typed as it expired", find("#message").getDomProperty("value"), "the draft is kept");
            bob.await(f -> "lost on the way out".equals(f.getString("message")));
            assertEquals(1, shouts(bob, "said as it expired"), "not sent twice");
            assertEquals(1, shouts(bob, "lost on the way out"), "sent again once");
            List<String> stored = given().header("Authorization", "Bearer " + Tokens.of("bob"))
                    .when().get("/api/rooms/{room}/messages", room)
                    .then().statusCode(200).extract().jsonPath().getList("messages.message");
            assertEquals(List.of("before ada came", "said as it expired", "while ada was away", "lost on the way out"),
                    stored);

            find("#message").sendKeys(Keys.ENTER);
            bob.await(f -> "half typed as it expired".equals(f.getString("message")));
            awaitConfirmed(5);
            assertEquals(2, StubSignInResource.VISITS.size(), "signed in again once");
            assertEquals(1L, page.sockets(), "one socket since the return");
        }
    }
}
