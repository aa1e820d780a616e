package io.slackir.chat.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/** The {@code websockets-next} writer: frames go through the connection's own {@code sendText}, in order. */
class SocketWriterTest {

    private final List<String> sent = new ArrayList<>();
    private final List<CloseReason> closes = new ArrayList<>();

    /** A connection that records what is sent and closed through websockets-next's API, and nothing else. */
    private final WebSocketConnection connection = (WebSocketConnection) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {WebSocketConnection.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "sendText" -> sent.add((String) args[0]);
                    case "close" -> closes.add((CloseReason) args[0]);
                    case "id" -> {
                        return "c1";
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                }
                return Uni.createFrom().voidItem();
            });

    @Test
    void websocketsNextWriterSendsEachFrameThroughSendTextInOrderAndNothingOnceClosing() {
        SocketWriter writer = new SocketWriter(connection, 1024, false);
        assertNull(writer.loop(), "no event loop of its own: websockets-next's sending is called from anywhere");
        assertNull(Outbox.of(writer), "no outbox: nothing batched per event loop");

        writer.write(Outbox.frame("{\"type\":\"shout\",\"n\":1}"));
        writer.write(Outbox.frame("{\"type\":\"shout\",\"n\":2,\"message\":\"é👋\"}"));
        assertEquals(List.of("{\"type\":\"shout\",\"n\":1}", "{\"type\":\"shout\",\"n\":2,\"message\":\"é👋\"}"), sent);

        writer.close(SocketWriter.TOO_SLOW);
        writer.close(SocketWriter.TOO_SLOW);
        assertEquals(List.of(SocketWriter.TOO_SLOW), closes, "closed once");
        assertTrue(writer.closing());
        assertFalse(writer.write(Outbox.frame("{\"type\":\"shout\",\"n\":3}")));
        assertEquals(2, sent.size(), "nothing written once closing");
    }
}
