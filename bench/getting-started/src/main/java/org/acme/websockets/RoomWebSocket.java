package org.acme.websockets;

import jakarta.inject.Inject;

import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * The getting-started chat with rooms, the way the websockets-next guide scopes a broadcast: to the connections
 * whose path names the same room ({@code broadcast().filter}).
 */
@WebSocket(path = "/rooms/{room}/{username}")
public class RoomWebSocket {

    @Inject
    WebSocketConnection connection;

    @OnTextMessage
    public Uni<Void> onMessage(ChatWebSocket.ChatMessage message) {
        String room = connection.pathParam("room");
        return connection.broadcast().filter(c -> room.equals(c.pathParam("room"))).sendText(message);
    }
}
