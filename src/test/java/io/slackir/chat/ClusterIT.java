package io.slackir.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.slackir.conversations.EmbeddedDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Two Slackir nodes, each the packaged jar as in production, sharing one PostgreSQL and one Redis (Debian's
 * {@code redis-server}, started here on a free port): a shout accepted on one node reaches the room's clients on both,
 * with one id, stored once; history and reconnects on either node hold both nodes' shouts; Redis stopped and started
 * again mid-conversation stops neither node's own chat, and what crossed no node meanwhile arrives once it is back.
 * Presence too, as clients see it: every client on either node sees the room's members on both, a node killed leaves no
 * ghosts once its part's time to live has passed, and Redis restarted brings both nodes' clients to the same view.
 * <p>
 * The test that kills a node runs last: the nodes are started once for all the tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    private static final Logger LOG = Logger.getLogger(ClusterIT.class);
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static EmbeddedPostgres pg;
    private static int redisPort;
    private static Process redis;
    /** The nodes' presence time to live: how long a killed node's members stay listed on the other. */
    private static final Duration PRESENCE_TTL = Duration.ofSeconds(5);
    private static Node a;
    private static Node b;

    record Node(String id, URI base, Process process, Path log) {
    }

    @BeforeAll
    static void start() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/redis-server"))
                || Files.isExecutable(Path.of("/usr/local/bin/redis-server"));
        if (!installed && System.getenv("CI") == null) {
            Assumptions.abort("redis-server is not installed (apt-get install redis-server): the cluster tests need"
                    + " it");
        }
        assertTrue(installed, "redis-server is not installed: .ci/run installs it from Debian's packages");
        assertTrue(Files.exists(JAR), "package the application first: " + JAR.toAbsolutePath());
        redisPort = freePort();
        startRedis();
        pg = EmbeddedPostgres.builder().start();
        a = launch("a");
        b = launch("b");
        awaitReady(a);
        awaitReady(b);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Node node : new Node[] { a, b }) {
            if (node != null) {
                node.process().destroy();
                if (!node.process().waitFor(40, TimeUnit.SECONDS)) {
                    node.process().destroyForcibly();
                }
            }
        }
        stopRedis();
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aShoutOnOneNodeReachesTheRoomOnBothNodesWithOneIdAndIsStoredOnce() throws Exception {
        String room = room("both");
        String other = room + "-other";
        try (ChatClient a1 = ChatClient.join(a.base(), room);
                ChatClient a2 = ChatClient.join(a.base(), room);
                ChatClient b1 = ChatClient.join(b.base(), room);
                ChatClient b2 = ChatClient.join(b.base(), room);
                ChatClient aOther = ChatClient.join(a.base(), other);
                ChatClient bOther = ChatClient.join(b.base(), other)) {
            a1.shout("Ada", "hello from A", "a-1");
            JsonObject onA = shoutOf(a1, "hello from A");
            for (ChatClient client : List.of(a2, b1, b2)) {
                assertEquals(onA, shoutOf(client, "hello from A"), "the same shout everywhere: " + client);
            }
            a1.awaitAck("a-1");

            b2.shout("Bob", "hello from B", "b-1");
            JsonObject onB = shoutOf(b2, "hello from B");
            for (ChatClient client : List.of(a1, a2, b1)) {
                assertEquals(onB, shoutOf(client, "hello from B"), "the same shout everywhere: " + client);
            }
            b2.awaitAck("b-1");
            // Only the accepting node acks
            assertTrue(a1.find(f -> "ack".equals(f.getString("type")) && "b-1".equals(f.getString("ref"))).isEmpty());

            // The other room gets its own shout and none of the first room's
            bOther.shout("Cy", "other room", null);
            shoutOf(aOther, "other room");
            for (ChatClient client : List.of(aOther, bOther)) {
                assertTrue(client.ofType("shout").stream().allMatch(s -> other.equals(s.getString("room"))),
                        () -> "only its own room's shouts: " + client.frames());
            }

            List<String> ids = List.of(onA.getString("id"), onB.getString("id"));
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> storedIds(room).size() >= 2);
            assertEquals(ids, storedIds(room), "each stored once, by the node that accepted it");
        }
    }

    @Test
    void eachSendersShoutsArriveInOrderOnTheOtherNode() {
        String room = room("order");
        int count = 300;
        try (ChatClient ada = ChatClient.join(a.base(), room);
                ChatClient bob = ChatClient.join(b.base(), room);
                ChatClient cy = ChatClient.join(b.base(), room)) {
            for (int i = 0; i < count; i++) {
                ada.shoutQuickly("Ada", "a " + i, null);
                bob.shoutQuickly("Bob", "b " + i, null);
            }
            for (ChatClient client : List.of(ada, bob, cy)) {
                List<JsonObject> shouts = client.await("shout", 2 * count);
                assertEquals(2 * count, shouts.size(), "each shout once: " + client);
                for (String sender : List.of("Ada", "Bob")) {
                    List<String> said = shouts.stream().filter(s -> sender.equals(s.getString("name")))
                            .map(s -> s.getString("message")).toList();
                    List<String> expected = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        expected.add(sender.substring(0, 1).toLowerCase() + " " + i);
                    }
                    assertEquals(expected, said, sender + "'s shouts in the order sent, on " + client);
                }
            }
        }
    }

    @Test
    void historyAndReconnectsOnTheOtherNodeHoldTheFirstNodesShouts() throws Exception {
        String room = room("history");
        List<String> ids = new ArrayList<>();
        try (ChatClient ada = ChatClient.join(a.base(), room); ChatClient bob = ChatClient.join(b.base(), room)) {
            for (int i = 0; i < 3; i++) {
                ada.shout("Ada", "kept " + i, "k" + i);
                ids.add(shoutOf(ada, "kept " + i).getString("id"));
                ada.awaitAck("k" + i);
            }
            // Bob has seen them live: a reconnect to B after the first is answered from B's memory
            bob.await("shout", 3);
            try (ChatClient again = ChatClient.join(b.base(), room + "?after=" + ids.get(2))) {
                assertEquals(ids.subList(0, 2), historyIds(again), "the 5 s before, not the id itself");
            }
            try (ChatClient again = ChatClient.join(b.base(), room + "?after=" + ids.get(0))) {
                assertEquals(ids.subList(1, 3), historyIds(again));
            }
        }
        // With no one left in the room on B, B reads PostgreSQL: a fresh join, a reconnect, and the HTTP API
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> storedIds(room).size() == 3);
        try (ChatClient fresh = ChatClient.join(b.base(), room)) {
            assertEquals(ids, historyIds(fresh));
        }
        try (ChatClient again = ChatClient.join(b.base(), room + "?after=" + ids.get(1))) {
            // With several nodes a reconnect also gets the 5 s before its id (not the id itself): a shout of another
            // node with an earlier id may have arrived after it. The client drops what it has.
            assertEquals(List.of(ids.get(0), ids.get(2)), historyIds(again));
        }
        JsonObject page = new JsonObject(get(b, "/api/rooms/" + room + "/messages").body());
        List<String> paged = page.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("id"))
                .toList();
        assertEquals(new HashSet<>(ids), new HashSet<>(paged));
    }

    @Test
    void redisStoppedAndStartedAgainStopsNoLocalChatAndLosesNothing() throws Exception {
        String room = room("outage");
        // Another test stops Redis too: this one counts its own outage's log lines
        Map<Node, Integer> unreachableBefore = Map.of(a, unreachable(a), b, unreachable(b));
        try (ChatClient a1 = ChatClient.join(a.base(), room);
                ChatClient a2 = ChatClient.join(a.base(), room);
                ChatClient b1 = ChatClient.join(b.base(), room);
                ChatClient b2 = ChatClient.join(b.base(), room)) {
            a1.shout("Ada", "before", "before");
            shoutOf(b1, "before");

            stopRedis();
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !connected(a) && !connected(b));

            // Each node goes on serving its own connections, and stores and acks as before
            a1.shout("Ada", "during, on A", "during-a");
            shoutOf(a2, "during, on A");
            a1.awaitAck("during-a");
            b1.shout("Bob", "during, on B", "during-b");
            shoutOf(b2, "during, on B");
            b1.awaitAck("during-b");
            assertTrue(b1.find(f -> "during, on A".equals(f.getString("message"))).isEmpty(),
                    "nothing crosses while Redis is down");

            startRedis();
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> connected(a) && connected(b));
            // What the other node said meanwhile arrives, late, once
            for (ChatClient client : List.of(b1, b2)) {
                shoutOf(client, "during, on A");
            }
            for (ChatClient client : List.of(a1, a2)) {
                shoutOf(client, "during, on B");
            }
            a1.shout("Ada", "after", "after");
            shoutOf(b2, "after");
            b2.shout("Bob", "after, on B", null);
            shoutOf(a2, "after, on B");

            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> storedIds(room).size() >= 5);
            Thread.sleep(500);
            List<String> stored = storedIds(room);
            assertEquals(5, stored.size(), "every shout stored, none twice: " + stored);
            for (ChatClient client : List.of(a1, a2, b1, b2)) {
                List<String> seen = client.ofType("shout").stream().map(s -> s.getString("id")).toList();
                assertEquals(new HashSet<>(stored), new HashSet<>(seen), "every shout reached " + client);
                assertEquals(seen.size(), new HashSet<>(seen).size(), "none twice on " + client);
            }
        }
        for (Node node : List.of(a, b)) {
            String metrics = get(node, "/q/metrics").body();
            assertTrue(metric(metrics, "slackir_cluster_outages_total") >= 1, metrics);
            String log = Files.readString(node.log());
            assertEquals(unreachableBefore.get(node) + 1, count(log, "is unreachable"),
                    "one log line for the outage, not one per shout: " + log);
            assertTrue(log.contains("is reachable again"), log);
        }
    }

    @Test
    void everyClientOnEitherNodeSeesTheMembersOfBothAndTabsCountAcrossNodes() throws Exception {
        String room = room("presence");
        try (ChatClient ada = join(a, room, "Ada")) {
            try (ChatClient bo = join(b, room, "Bo")) {
                awaitViews(ChatClient.PATIENCE, Map.of("Ada", 1, "Bo", 1), ada, bo);

                try (ChatClient adaOnB = join(b, room, "Ada")) {
                    awaitViews(ChatClient.PATIENCE, Map.of("Ada", 2, "Bo", 1), ada, bo, adaOnB);
                    for (Node node : List.of(a, b)) {
                        JsonObject presence = presence(node, room);
                        assertEquals(List.of("Ada", "Bo"), names(presence), "both nodes' members over HTTP on " + node);
                        assertEquals(2, presence.getJsonArray("members").getJsonObject(0).getInteger("connections"));
                        assertEquals(3, presence.getInteger("connections"));
                    }
                    assertEquals(since(presence(a, room), "Ada"), since(presence(b, room), "Ada"),
                            "since when Ada is here is one time on both nodes: her first tab's");
                }
                awaitViews(ChatClient.PATIENCE, Map.of("Ada", 1, "Bo", 1), ada, bo);
                for (ChatClient client : List.of(ada, bo)) {
                    assertTrue(client.ofType("presence_diff").stream()
                            .noneMatch(d -> d.getJsonArray("leaves").contains("Ada")),
                            () -> "closing one of Ada's tabs is not Ada leaving: " + client.ofType("presence_diff"));
                }
            }
            awaitViews(ChatClient.PATIENCE, Map.of("Ada", 1), ada);
            assertEquals(new JsonArray().add("Bo"), ada.ofType("presence_diff").getLast().getJsonArray("leaves"),
                    "Bo leaving node b is a leave on node a");
            assertEquals(List.of("Ada"), names(presence(a, room)));
        }
    }

    @Test
    void typingOnOneNodeReachesTheOthersOnTheOtherNodeAndNotTheTypist() {
        String room = room("typing");
        try (ChatClient ada = join(a, room, "Ada"); ChatClient bo = join(b, room, "Bo");
                ChatClient adaOnB = join(b, room, "Ada")) {
            awaitViews(ChatClient.PATIENCE, Map.of("Ada", 2, "Bo", 1), ada, bo, adaOnB);
            ada.send(new JsonObject().put("type", "typing"));
            JsonObject typing = new JsonObject().put("type", "typing").put("name", "Ada");
            assertEquals(typing, bo.await("typing"));
            assertEquals(typing, adaOnB.await("typing"), "her other tab shows it too");

            // Her own shout comes back after anything the room sent her before it
            ada.shout("Ada", "done typing", "d");
            shoutOf(ada, "done typing");
            assertTrue(ada.ofType("typing").isEmpty(), () -> "not back to the one typing: " + ada.frames());
            shoutOf(bo, "done typing");
            assertEquals(1, bo.ofType("typing").size(), "one typing, relayed once");
        }
    }

    @Test
    void afterRedisIsBackBothNodesClientsSoonShowTheSameRightMembers() throws Exception {
        String room = room("presence-outage");
        try (ChatClient ada = join(a, room, "Ada"); ChatClient bo = join(b, room, "Bo")) {
            try (ChatClient cy = join(b, room, "Cy")) {
                awaitViews(ChatClient.PATIENCE, Map.of("Ada", 1, "Bo", 1, "Cy", 1), ada, bo, cy);

                stopRedis();
                Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !connected(a) && !connected(b));
            }
            // Cy left node b and Di joined node a while the nodes could not tell each other: each node's own clients
            // see their own node's change at once
            try (ChatClient di = join(a, room, "Di")) {
                Awaitility.await().atMost(ChatClient.PATIENCE)
                        .until(() -> ada.members().containsKey("Di") && !bo.members().containsKey("Cy"));

                startRedis();
                long back = System.nanoTime();
                Map<String, Integer> everyone = Map.of("Ada", 1, "Bo", 1, "Di", 1);
                awaitViews(Duration.ofSeconds(10), everyone, ada, bo, di);
                long converged = Duration.ofNanos(System.nanoTime() - back).toMillis();
                LOG.infof("Both nodes' clients showed the same members %d ms after Redis was back", converged);
                for (Node node : List.of(a, b)) {
                    assertEquals(List.of("Ada", "Bo", "Di"), names(presence(node, room)), "over HTTP on " + node);
                }
                for (ChatClient client : List.of(ada, bo, di)) {
                    assertEquals(0, client.unnamed(), "no unnamed connection: " + client);
                }
            }
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> connected(a) && connected(b));
    }

    /** Kills node b: runs after every other test, which all want both nodes. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aNodeKilledLeavesNoGhostsOnTheOtherNodeOnceItsPartExpires() throws Exception {
        String room = room("ghosts");
        try (ChatClient ada = join(a, room, "Ada"); ChatClient bo = join(b, room, "Bo");
                ChatClient nobody = ChatClient.join(b.base(), room)) {
            Awaitility.await().atMost(ChatClient.PATIENCE)
                    .until(() -> ada.members().equals(Map.of("Ada", 1, "Bo", 1)) && ada.unnamed() == 1);

            long killed = System.nanoTime();
            b.process().destroyForcibly();
            assertTrue(b.process().waitFor(10, TimeUnit.SECONDS), "node b is dead");
            // A node's part not said again for the time to live is forgotten within a second of it, and told within a
            // diff window: within the time to live and 5 s of the death, as promised
            Awaitility.await().atMost(PRESENCE_TTL.plusSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        assertEquals(Map.of("Ada", 1), ada.members(), "node b's members, as node a's client sees them");
                        assertEquals(0, ada.unnamed(), "node b's unnamed connection, as node a's client counts it");
                    });
            long vanished = Duration.ofNanos(System.nanoTime() - killed).toMillis();
            LOG.infof("The killed node's members vanished from the other node's clients %d ms after the kill",
                    vanished);
            assertEquals(new JsonArray().add("Bo"), ada.ofType("presence_diff").getLast().getJsonArray("leaves"));
            JsonObject presence = presence(a, room);
            assertEquals(List.of("Ada"), names(presence));
            assertEquals(0, presence.getInteger("unnamed"));
        }
    }

    // --- Helpers -----------------------------------------------------------------------------------------------------

    private static String room(String what) {
        return "cluster-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ChatClient join(Node node, String room, String name) {
        return ChatClient.join(node.base(), room + "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    /** Waits until each client's view of the room, its presence with the diffs since applied, is {@code members}. */
    private static void awaitViews(Duration within, Map<String, Integer> members, ChatClient... clients) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            for (ChatClient client : clients) {
                assertEquals(members, client.members(), "the members as " + client + " sees them");
            }
        });
    }

    /** {@code GET /api/rooms/{room}/presence} on a node. */
    private static JsonObject presence(Node node, String room) throws Exception {
        HttpResponse<String> response = get(node, "/api/rooms/" + room + "/presence");
        assertEquals(200, response.statusCode(), response.body());
        return new JsonObject(response.body());
    }

    private static List<String> names(JsonObject presence) {
        return presence.getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("name")).toList();
    }

    private static String since(JsonObject presence, String name) {
        return presence.getJsonArray("members").stream().map(JsonObject.class::cast)
                .filter(m -> name.equals(m.getString("name"))).findFirst().orElseThrow().getString("since");
    }

    /** The node's log lines saying Redis went out of reach: one per outage. */
    private static int unreachable(Node node) throws IOException {
        return count(Files.readString(node.log()), "is unreachable");
    }

    private static JsonObject shoutOf(ChatClient client, String message) {
        return client.await(f -> "shout".equals(f.getString("type")) && message.equals(f.getString("message")));
    }

    private static List<String> historyIds(ChatClient client) {
        JsonArray messages = client.await("history").getJsonArray("messages");
        return messages.stream().map(m -> ((JsonObject) m).getString("id")).toList();
    }

    private static boolean connected(Node node) throws Exception {
        JsonObject health = new JsonObject(get(node, "/q/health/ready").body());
        for (Object check : health.getJsonArray("checks")) {
            JsonObject c = (JsonObject) check;
            if ("Fan-out to other nodes".equals(c.getString("name"))) {
                return c.getJsonObject("data").getBoolean("connected");
            }
        }
        throw new AssertionError("no fan-out check in " + health);
    }

    private static HttpResponse<String> get(Node node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(node.base().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    private static List<String> storedIds(String room) throws SQLException {
        return EmbeddedDatabase.storedIds(pg.getPostgresDatabase(), room);
    }

    private static Node launch(String id) throws Exception {
        int port = freePort();
        Path log = Path.of("target/cluster-it-" + id + ".log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-jar", JAR.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", pg.getJdbcUrl("postgres", "postgres"),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "SLACKIR_CLUSTER_REDIS_URL", "redis://127.0.0.1:" + redisPort,
                "SLACKIR_CLUSTER_NODE_ID", id,
                "SLACKIR_CLUSTER_RECONNECT_MAX_BACKOFF", "1s",
                "SLACKIR_LIMITS_RATE", "100000",
                "SLACKIR_LIMITS_BURST", "100000"));
        // A dead node's part is forgotten after the time to live (25 s by default): 5 s here, said every second
        builder.environment().put("SLACKIR_PRESENCE_TTL", PRESENCE_TTL.toSeconds() + "s");
        builder.environment().put("SLACKIR_PRESENCE_HEARTBEAT", "1s");
        return new Node(id, URI.create("http://localhost:" + port + "/"), builder.start(), log);
    }

    private static void awaitReady(Node node) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> node.process().isAlive() && get(node, "/q/health/ready").statusCode() == 200
                        && connected(node));
    }

    private static void startRedis() throws Exception {
        File log = new File("target/cluster-it-redis.log");
        redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .start();
        Awaitility.await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            try (Socket socket = new Socket("127.0.0.1", redisPort)) {
                socket.getOutputStream().write("PING\r\n".getBytes());
                return socket.getInputStream().read() == '+';
            }
        });
    }

    private static void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
            assertFalse(redis.isAlive());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
