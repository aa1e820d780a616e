package io.slackir.chat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Debian's {@code redis-server} on a free port for an in-process test of several nodes: this node is {@code here}, and
 * the test plays the other nodes on the same Redis. Without redis-server nothing is started and {@link #installed}
 * says so, for the test to skip (or fail on CI).
 */
public class RedisServer implements QuarkusTestResourceLifecycleManager {

    static volatile int port;
    private Process redis;

    static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/redis-server"))
                || Files.isExecutable(Path.of("/usr/local/bin/redis-server"));
    }

    @Override
    public Map<String, String> start() {
        if (!installed()) {
            return Map.of();
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            redis = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/room-events-redis.log")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write("PING\r\n".getBytes());
                return socket.getInputStream().read() == '+';
            }
        });
        return Map.of("slackir.cluster.redis-url", "redis://127.0.0.1:" + port, "slackir.cluster.node-id", "here");
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.destroy();
            try {
                redis.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
