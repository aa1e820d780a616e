package io.slackir.conversations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.slackir.chat.ChatClient;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * SIGTERM during a burst, against the packaged jar: the service stops accepting, stores every shout it accepted, and
 * only then exits; started again, it gives a reconnecting client what it missed, from PostgreSQL. The jar runs as in
 * production, pointed at a PostgreSQL by the environment; the writes are held back until after the signal, so the
 * drain is what stores them.
 */
class GracefulShutdownIT {

    private static final Logger LOG = Logger.getLogger(GracefulShutdownIT.class);
    private static final int BURST = 300;

    @Test
    void everyAcceptedShoutIsStoredBeforeTheProcessExitsAndRecoveredAfterARestart() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertTrue(Files.exists(jar), "package the application first: " + jar.toAbsolutePath());
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            int port = freePort();
            File log = new File("target/graceful-shutdown-it.log");
            Process service = launch(jar, pg, port, log);
            try {
                URI base = URI.create("http://localhost:" + port + "/");
                awaitReady(base);
                String room = "sigterm-" + UUID.randomUUID().toString().substring(0, 8);
                List<String> accepted;
                try (Connection db = pg.getPostgresDatabase().getConnection();
                        Statement statement = db.createStatement();
                        ChatClient ada = ChatClient.join(base, room)) {
                    // Hold the writes back so that the burst is still owed to the database when the signal comes
                    db.setAutoCommit(false);
                    statement.execute("lock table messages in share mode");
                    for (int i = 0; i < BURST; i++) {
                        ada.shout("Ada", "burst " + i, "b" + i);
                    }
                    accepted = ada.await("shout", BURST).stream().map(f -> f.getString("id")).toList();

                    long signalled = System.nanoTime();
                    service.destroy(); // SIGTERM
                    Thread.sleep(1500);
                    assertTrue(service.isAlive(), "the service waits for its backlog");
                    db.rollback();
                    assertTrue(service.waitFor(60, TimeUnit.SECONDS), "the service exits once drained");
                    LOG.infof("Exited with %d, %d ms after SIGTERM (1,500 of them with the writes held back)",
                            service.exitValue(), (System.nanoTime() - signalled) / 1_000_000);
                }
                List<String> stored = EmbeddedDatabase.storedIds(pg.getPostgresDatabase(), room);
                LOG.infof("SIGTERM during a burst: %d accepted, %d stored", accepted.size(), stored.size());
                assertEquals(BURST, accepted.size());
                assertEquals(BURST, stored.size());
                assertThat(stored, containsInAnyOrder(accepted.toArray()));
                String output = Files.readString(log.toPath());
                assertThat(output, containsString("Stopping: storing the " + BURST + " shouts still owed"));
                assertThat(output, containsString("Stopping: every accepted shout is stored"));

                // Started again, with nothing in memory: a client that saw the first 100 gets the other 200 from
                // PostgreSQL, in order, once
                service = launch(jar, pg, port, new File("target/graceful-shutdown-it-restart.log"));
                awaitReady(base);
                try (ChatClient ada = ChatClient.join(base, room + "?after=" + accepted.get(99))) {
                    JsonObject history = ada.await("history");
                    assertEquals(accepted.subList(100, BURST), history.getJsonArray("messages").stream()
                            .map(m -> ((JsonObject) m).getString("id")).toList());
                    assertTrue(history.getBoolean("complete"));
                }
            } finally {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Process launch(Path jar, EmbeddedPostgres pg, int port, File log) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log);
        builder.environment().putAll(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", pg.getJdbcUrl("postgres", "postgres"),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                // One client sends the whole burst: far over a person's rate limit
                "SLACKIR_LIMITS_RATE", "100000",
                "SLACKIR_LIMITS_BURST", "100000"));
        return builder.start();
    }

    private static void awaitReady(URI base) {
        HttpClient http = HttpClient.newHttpClient();
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
