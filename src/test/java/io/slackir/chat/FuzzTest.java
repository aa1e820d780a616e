package io.slackir.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.in;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * Thousands of generated bad frames against a live room: each is answered with an error frame, none is broadcast or
 * stored, the connections stay open, and a normal client's shouts flow (and are acked) throughout.
 */
@QuarkusTest
@Tag("contract")
class FuzzTest {

    private static final Logger LOG = Logger.getLogger(FuzzTest.class);
    private static final int FUZZERS = 3;
    private static final int FRAMES_EACH = 1200;
    private static final Set<String> ERROR_CODES = Set.of("malformed", "unknown_type", "invalid", "too_large");

    @TestHTTPResource("/")
    URI base;

    /** One bad frame: text, or null for a frame of random bytes sent as binary. */
    private static final List<Function<Random, String>> BAD = List.of(
            r -> null,
            r -> randomText(r, r.nextInt(200)),
            r -> {
                String good = new JsonObject().put("type", "shout").put("name", "Fuzz").put("message", "whole")
                        .put("ref", "r").encode();
                return good.substring(0, r.nextInt(good.length() - 1));
            },
            r -> "[".repeat(1000 + r.nextInt(4000)) + "]".repeat(r.nextInt(10)),
            r -> "{\"type\":\"shout\",\"name\":" + "{\"a\":".repeat(2000) + "1" + "}".repeat(2000) + "}",
            r -> "{\"type\":\"shout\",\"name\":" + pick(r, "123", "true", "[]", "{}", "1.5e300", "-0") + ",\"message\":"
                    + pick(r, "\"x\"", "false", "null", "[\"x\"]", "99") + "}",
            r -> "{\"type\":\"shout\",\"name\":\"\\ud800\",\"message\":\"lone " + pick(r, "\\udc00", "\\ud83d", "x")
                    + "\"}",
            r -> "{\"type\":\"shout\",\"name\":\"N\\u0000L\",\"message\":\"a\\u0000b\"}",
            r -> "{\"type\":\"shout\",\"name\":\"Big\",\"message\":" + "9".repeat(1001 + r.nextInt(5000)) + "}",
            r -> "{\"type\":" + "1".repeat(30) + ",\"name\":\"x\",\"message\":\"y\"}",
            r -> "{\"type\":\"" + pick(r, "Shout", "SHOUT", "shout ", "", "ack", "history", "error") + "\"}",
            r -> "{\"type\":\"shout\",\"name\":\"" + pick(r, "", "   ", "\\t", "x".repeat(65)) + "\",\"message\":\""
                    + pick(r, "", "x".repeat(4001), "ok") + "\"}",
            r -> "{\"type\":\"shout\",\"name\":\"A\",\"message\":\"m\",\"ref\":\"" + "r".repeat(65) + "\"}",
            r -> pick(r, "", " ", "null", "42", "\"shout\"", "[]", "{}", "true", "{\"type\":null}"),
            r -> "{\"type\":\"shout\",\"name\":\"Huge\",\"message\":\"" + "h".repeat(66_000) + "\"}");

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    private static String randomText(Random r, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = r.nextInt(4) == 0 ? r.nextInt(0x2FFFF) : 0x20 + r.nextInt(0x5F);
            if (Character.isValidCodePoint(c) && !(c >= 0xD800 && c <= 0xDFFF)) {
                text.appendCodePoint(c);
            }
        }
        return text.toString();
    }

    @Test
    void generatedBadFramesAreEachAnsweredAndNeitherBroadcastNorStoredWhileTheRoomGoesOn() throws Exception {
        String room = "fuzz-" + UUID.randomUUID().toString().substring(0, 8);
        AtomicBoolean fuzzing = new AtomicBoolean(true);
        AtomicInteger normalSent = new AtomicInteger();
        try (ChatClient listener = ChatClient.join(base, room); ChatClient normal = ChatClient.join(base, room)) {
            Thread shouting = Thread.ofPlatform().start(() -> {
                while (fuzzing.get()) {
                    int n = normalSent.getAndIncrement();
                    normal.shout("Normal", "still flowing " + n, "n" + n);
                    sleep(50);
                }
            });
            List<ChatClient> fuzzers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int f = 0; f < FUZZERS; f++) {
                ChatClient fuzzer = ChatClient.join(base, room);
                fuzzers.add(fuzzer);
                Random random = new Random(1000 + f);
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < FRAMES_EACH; i++) {
                        String frame = BAD.get(random.nextInt(BAD.size())).apply(random);
                        if (frame == null) {
                            byte[] bytes = new byte[random.nextInt(300)];
                            random.nextBytes(bytes);
                            fuzzer.sendBinary(bytes);
                        } else {
                            fuzzer.send(frame);
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (ChatClient fuzzer : fuzzers) {
                List<JsonObject> errors = fuzzer.await("error", FRAMES_EACH);
                assertEquals(FRAMES_EACH, errors.size(), "one answer per frame");
                for (JsonObject error : errors) {
                    assertThat(error.getString("code"), in(ERROR_CODES));
                }
                assertTrue(fuzzer.ofType("ack").isEmpty());
                assertFalse(fuzzer.isClosed());
            }
            fuzzing.set(false);
            shouting.join();

            int sent = normalSent.get();
            normal.await("ack", sent);
            assertTrue(normal.ofType("error").isEmpty(), normal.ofType("error").toString());
            List<JsonObject> heard = listener.await("shout", sent);
            assertTrue(heard.stream().allMatch(f -> "Normal".equals(f.getString("name"))), "only the normal shouts");
            assertEquals(sent, heard.size());
            // Stored: exactly the normal shouts (black-box, over the HTTP API, so the *IT twin checks it too)
            List<String> stored = given().when().get("/api/rooms/{room}/messages?limit=200", room)
                    .then().statusCode(200).extract().jsonPath().getList("messages.name");
            assertEquals(sent, stored.size());
            assertTrue(stored.stream().allMatch("Normal"::equals));
            fuzzers.forEach(ChatClient::close);
            LOG.infof("Fuzz: %d bad frames from %d connections, %d error frames, 0 broadcast, 0 stored; %d normal "
                    + "shouts meanwhile, all broadcast, stored and acked", FUZZERS * FRAMES_EACH, FUZZERS,
                    FUZZERS * FRAMES_EACH, sent);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
