package io.slackir.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

/**
 * The benchmark's bare baseline: a Vert.x server that writes every text frame it gets to every connection of the same
 * path ({@code writeTextMessage} in a loop), with nothing else: no parsing, ids, validation or storage. One event loop.
 */
public final class VertxChat {

    private VertxChat() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Map<String, List<ServerWebSocket>> rooms = new HashMap<>();
        Vertx vertx = Vertx.vertx();
        vertx.createHttpServer()
                .webSocketHandler(socket -> {
                    String room = socket.path();
                    List<ServerWebSocket> members = rooms.computeIfAbsent(room, r -> new ArrayList<>());
                    members.add(socket);
                    socket.textMessageHandler(text -> {
                        for (ServerWebSocket member : members) {
                            member.writeTextMessage(text);
                        }
                    });
                    socket.closeHandler(closed -> members.remove(socket));
                })
                .requestHandler(request -> request.response().end("bare Vert.x broadcast\n"))
                .listen(port, "127.0.0.1")
                .onSuccess(server -> System.out.println("Listening on " + server.actualPort()))
                .onFailure(failure -> {
                    failure.printStackTrace();
                    System.exit(1);
                });
    }
}
