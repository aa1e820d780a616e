package io.slackir.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With {@code slackir.origins.required}, a handshake without an {@code Origin} (no browser) is refused too.
 * In-process only: the packaged application's origin checks are {@code AbuseIT}'s (a whole start of the jar for this
 * one setting cost more than the rest of that suite).
 */
@QuarkusTest
@Tag("contract")
@TestProfile(OriginRequiredTest.BrowsersOnly.class)
class OriginRequiredTest {

    public static class BrowsersOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(Settings.ORIGIN_REQUIRED, "true");
        }
    }

    @TestHTTPResource("/")
    URI base;

    private int handshake(String origin) {
        return ChatClient.handshakeStatus(base, "/chat/lobby", origin);
    }

    @Test
    void handshakeWithoutOriginIsRefusedAndTheOwnOriginStillAccepted() {
        assertEquals(403, handshake(null));
        assertEquals(403, handshake("https://evil.example"));
        // Its own origin gets in: a whole join, history and all (a bare handshake left the join reading its history
        // from the database as the test ended and Quarkus stopped under it)
        String own = "http://" + base.getHost() + ":" + base.getPort();
        try (ChatClient client = ChatClient.join(base, "lobby", options -> options.addHeader("Origin", own))) {
            assertEquals("history", client.await("history").getString("type"));
        }
    }
}
