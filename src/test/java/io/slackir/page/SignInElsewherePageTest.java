package io.slackir.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.slackir.chat.ChatClient;
import io.slackir.chat.Tokens;

/**
 * The chat page in jwt mode when the deployment gives it no sign-in URL: the token comes from a sign-in elsewhere that
 * sends the reader back with it in the fragment. Signed out, the page says a token is needed, and run from the sources
 * what mints one; when the token expires it says so and keeps what was not sent until the next token comes.
 */
@QuarkusTest
@Tag("end-to-end")
@TestProfile(SignInElsewherePageTest.NoSignInUrl.class)
class SignInElsewherePageTest {

    /** jwt mode as {@link Tokens.JwtMode} sets it, without a sign-in URL (an empty value is no value). */
    public static class NoSignInUrl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Tokens.JwtMode.signingInAt("");
        }
    }

    @TestHTTPResource("/")
    URI base;

    Browser page;

    @BeforeAll
    static void browserInstalled() {
        Browser.assumeInstalled();
    }

    @BeforeEach
    void startBrowser() {
        page = Browser.start().watchingSockets();
    }

    @AfterEach
    void stopBrowser() {
        if (page != null) {
            page.close();
        }
    }

    private String text(String id) {
        return page.driver.findElement(By.id(id)).getText();
    }

    @Test
    void signedOutPageSaysATokenFromTheDeploymentsSignInIsNeeded() {
        page.driver.get(base + "#/lobby");
        page.awaitStatus("You are signed out.");
        assertTrue(text("gate-more").contains("needs a token from the deployment's sign-in"), text("gate-more"));
        assertFalse(page.driver.findElement(By.id("sign-in")).isDisplayed(), "nowhere to send the reader");
        assertEquals(0L, page.sockets());
    }

    @Test
    void signedOutPageRunFromTheSourcesSaysWhatMintsATokenAndTheLinkItPrintsSignsIn() throws Exception {
        page.driver.get(base + "#/lobby");
        page.awaitStatus("You are signed out.");
        String command = page.driver.findElement(By.cssSelector("#gate-dev code")).getText();
        assertEquals("java dev/Token.java NAME --port " + base.getPort(), command);
        assertTrue(text("gate-dev").startsWith("In dev mode, " + command + ", run in the project's directory"),
                text("gate-dev"));

        // As a developer would: the command, then the link it prints
        List<String> run = new ArrayList<>(List.of(command.replace("NAME", "ada").split(" ")));
        run.set(0, ProcessHandle.current().info().command().orElse("java"));
        Process mint = new ProcessBuilder(run).start();
        mint.getInputStream().readAllBytes();
        String printed = new String(mint.getErrorStream().readAllBytes());
        assertEquals(0, mint.waitFor(), printed);
        String link = printed.lines().filter(line -> line.startsWith("http://")).findFirst().orElseThrow();
        page.driver.get(link);
        page.awaitStatus("Connected to #lobby");
        assertEquals("ada", text("identity-name"));
        assertFalse(page.driver.findElement(By.id("gate")).isDisplayed());
    }

    @Test
    void expiredTokenKeepsTheUnsentShoutUntilTheNextTokenComesAndItIsShownOnce() {
        String room = "e-" + UUID.randomUUID().toString().substring(0, 8);
        try (ChatClient bob = ChatClient.join(base, room, ChatClient.bearer(Tokens.of("bob")))) {
            page.driver.get(base + "#access_token=" + Tokens.expiringIn(Duration.ofSeconds(5), "ada")
                    + "&token_type=Bearer&state=" + room);
            page.awaitStatus("Connected to #" + room);
            assertEquals(base + "#/" + room, page.driver.getCurrentUrl());
            Awaitility.await().atMost(Browser.PATIENCE).until(() -> bob.members().containsKey("ada"));

            // Its broadcast and ack are lost with the connection
            page.deaf();
            page.say("said as it expired");
            bob.await(f -> "said as it expired".equals(f.getString("message")));
            page.type("a draft");

            page.awaitStatus("Your sign-in expired.");
            assertTrue(text("gate-more").contains("Messages not yet sent are kept."), text("gate-more"));
            List<Map<String, String>> kept = page.messages();
            assertEquals(1, kept.size());
            assertEquals("pending", kept.getFirst().get("state"));
            assertEquals("said as it expired", kept.getFirst().get("text"));
            assertEquals("a draft", page.driver.findElement(By.id("message")).getDomProperty("value"));
            assertNull(page.token(), "an expired token is of no more use");

            // The sign-in elsewhere sends the reader back with a fresh token: it arrived, and is not sent again
            page.driver.get(base + "#access_token=" + Tokens.of("ada") + "&token_type=Bearer&state=" + room);
            new WebDriverWait(page.driver, Browser.PATIENCE).withMessage(() -> page.messages() + " " + page.status())
                    .until(d -> page.status().equals("Connected to #" + room) && page.messages().size() == 1
                            && "confirmed".equals(page.messages().getFirst().get("state")));
            assertEquals(base + "#/" + room, page.driver.getCurrentUrl());
            assertEquals("a draft", page.driver.findElement(By.id("message")).getDomProperty("value"));
            assertEquals(1, bob.ofType("shout").size(), "sent once");
            assertEquals(1L, page.sockets());
        }
    }
}
