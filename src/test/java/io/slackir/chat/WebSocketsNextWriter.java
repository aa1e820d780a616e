package io.slackir.chat;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Frames written through websockets-next's own {@code sendText} ({@code slackir.delivery.writer=websockets-next}), the
 * writer for a Quarkus that the direct one cannot reach: the socket suites run in-process on the direct writer (the
 * default) and against the packaged application on this one, so both stay green.
 */
public class WebSocketsNextWriter implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(Settings.WRITER, "websockets-next");
    }
}
