package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.DevServicesContext;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.slackir.it.PostgresForTheJar;

/**
 * The packaged application in jwt mode, set up as {@link SignedInIT} is but for the key: as a deployment that forgot
 * it, or hoped the dev one came along. Nothing of the dev key pair is packaged ({@code DevSigningNotPackagedIT}), so a
 * token signed with it, or minted by {@code dev/Token.java}, signs no one in: refused at the handshake and over HTTP.
 * No in-process twin: in test mode Quarkus would make a key pair of its own.
 */
@QuarkusIntegrationTest
@TestProfile(UnkeyedJwtModeIT.NoKey.class)
@WithTestResource(PostgresForTheJar.class)
@WithTestResource(UnkeyedJwtModeIT.KeysGiven.class)
class UnkeyedJwtModeIT {

    /** jwt mode, the dev issuer and audience, and no key. */
    public static class NoKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // NONE is smallrye-jwt's own "no key" (its default), said aloud: with no key setting at all, the test
            // framework's smallrye-jwt dev service would generate an in-memory key pair and start the jar with it
            return Map.of("slackir.auth.mode", "jwt",
                    "mp.jwt.verify.publickey", "NONE",
                    "mp.jwt.verify.issuer", Tokens.ISSUER,
                    "mp.jwt.verify.audiences", Tokens.AUDIENCE);
        }
    }

    /**
     * What the test framework adds to the jar's command line of its own (its dev services' settings), kept in a
     * system property of the test JVM, which any thread of the test sees.
     */
    public static class KeysGiven implements QuarkusTestResourceLifecycleManager, DevServicesContext.ContextAware {

        static final String PROPERTY = "slackir-test.dev-services";

        @Override
        public void setIntegrationTestContext(DevServicesContext context) {
            System.setProperty(PROPERTY, context.devServicesProperties().toString());
        }

        @Override
        public Map<String, String> start() {
            return Map.of();
        }

        @Override
        public void stop() {
            System.clearProperty(PROPERTY);
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Test
    void theJarIsGivenNoKeyToVerifyWith() {
        String given = System.getProperty(KeysGiven.PROPERTY);
        assertTrue(given != null, "the test framework's settings for the jar are seen");
        // Quarkus's generated key pair would be these settings' values: base64, not NONE
        assertFalse(given.matches(".*(mp\\.jwt\\.verify\\.publickey|smallrye\\.jwt\\.sign\\.key)=(?!NONE[,}]).*"),
                given);
        List<String> generated = ServerLog.sinceStart().lines().stream()
                .filter(line -> line.contains("in-memory key pair") || line.contains("keys for DEV/TEST")).toList();
        assertEquals(List.of(), generated);
    }

    @Test
    void aDevTokenIsRefusedAtTheHandshakeAndOverHttp() throws Exception {
        String room = "unkeyed-" + UUID.randomUUID().toString().substring(0, 8);
        for (String token : List.of(Tokens.of("ada"), mintedByTheDevScript("eve"))) {
            assertEquals(401, ChatClient.handshakeStatus(base, "/chat/" + room, ChatClient.bearer(token)));
            assertEquals(401, ChatClient.handshakeStatus(base, "/chat/" + room, ChatClient.carrier(token)));
            for (String path : List.of("/api/rooms/" + room + "/messages", "/api/rooms/" + room + "/presence",
                    "/api/messages/" + UUID.randomUUID())) {
                given().header("Authorization", "Bearer " + token).when().get(path).then().statusCode(401)
                        .header("WWW-Authenticate", "Bearer").body("code", equalTo("unauthorized"));
            }
            given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON)
                    .body(Map.of("message", "let me in")).when().post("/api/rooms/{room}/messages", room)
                    .then().statusCode(401).body("code", equalTo("unauthorized"));
            given().header("Authorization", "Bearer " + token).when().get("/api/session").then().statusCode(200)
                    .body("mode", equalTo("jwt")).body("name", nullValue()).body("expiresAt", nullValue())
                    .body("devSignIn", nullValue());
        }
    }

    /** The token {@code java dev/Token.java} prints, as dev mode's way to sign in has it (the project's directory). */
    private static String mintedByTheDevScript(String name) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process mint = new ProcessBuilder(java, "dev/Token.java", name).start();
        String token = new String(mint.getInputStream().readAllBytes()).strip();
        assertEquals(0, mint.waitFor(), new String(mint.getErrorStream().readAllBytes()));
        return token;
    }
}
