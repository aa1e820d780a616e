package io.slackir.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A few seconds of every load scenario against the packaged jar and the bare Vert.x baseline: the benchmark still runs
 * and writes well-formed results. Figures are not judged here; they are measured by {@code bench/run}.
 */
class BenchIT {

    @Test
    void everyScenarioRunsAndWritesWellFormedResults() throws Exception {
        Path results = Path.of("target/bench/smoke.jsonl");
        Files.deleteIfExists(results);
        // The cluster scenario needs redis-server (installed by .ci/run); without it, it says so and skips
        boolean redis = Files.isExecutable(Path.of("/usr/bin/redis-server"));
        new Bench(Bench.settings("fanout", "rooms", "store", "joins", "cluster",
                "--targets", "slackir,vertx",
                "--clients", "20", "--senders", "2", "--rooms", "4",
                "--fanout-rates", "20", "--rooms-rates", "20", "--store-rates", "100",
                "--step-seconds", "1", "--store-seconds", "2", "--warmup-seconds", "1", "--history", "5",
                "--results", results.toString())).run();

        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(results)) {
            lines.add(json.readTree(line));
        }
        Set<String> seen = new TreeSet<>();
        for (JsonNode line : lines) {
            String scenario = line.path("scenario").asText();
            seen.add(scenario + "/" + line.path("type").asText());
            assertTrue(line.path("commit").isTextual() && line.path("date").isTextual(), line::toString);
            if (line.path("type").asText().equals("step") && !scenario.equals("store")
                    && !scenario.equals("joins")) {
                assertTrue(line.path("sent").asLong() > 0, line::toString);
                for (String field : List.of("deliveries_per_s", "delivered_pct", "p50_ms", "p99_ms", "p999_ms",
                        "max_ms", "server_cpu_pct", "server_rss_mib", "load_cpu_pct", "presence_frames")) {
                    assertTrue(line.path(field).isNumber() && line.path(field).asDouble() >= 0,
                            field + " in " + line);
                }
                assertTrue(line.path("delivered_pct").asDouble() <= 100, line::toString);
            }
            if (scenario.equals("store") && line.path("type").asText().equals("step")) {
                assertTrue(line.path("accepted").asLong() > 0, line::toString);
                assertTrue(line.path("stored").asLong() <= line.path("accepted").asLong(), line::toString);
                assertTrue(line.path("backlog_flat").isBoolean(), line::toString);
            }
            if (scenario.equals("cluster") && line.path("type").asText().equals("step")) {
                for (String field : List.of("local_p99_ms", "remote_p99_ms", "extra_p99_ms")) {
                    assertTrue(line.path(field).isNumber(), field + " in " + line);
                }
            }
            if (scenario.equals("joins")) {
                assertEquals(20, line.path("clients").asInt(), line::toString);
                assertTrue(line.path("all_within_ms").isNumber(), line::toString);
                assertTrue(line.path("presence_frames_are").isTextual(), line::toString);
                for (String field : List.of("presence_settle_ms", "presence_each_min", "presence_each_p50",
                        "presence_each_p99", "presence_each_max", "presence_frames_total", "presence_bytes_total",
                        "presence_frames_after_settle")) {
                    assertTrue(line.path(field).isIntegralNumber() && line.path(field).asLong() >= 0,
                            field + " in " + line);
                }
                assertTrue(line.path("presence_each_min").asLong() <= line.path("presence_each_p50").asLong()
                        && line.path("presence_each_p50").asLong() <= line.path("presence_each_p99").asLong()
                        && line.path("presence_each_p99").asLong() <= line.path("presence_each_max").asLong(),
                        line::toString);
                // Slackir's joiners are named, and each gets its presence after its history: the count sees them;
                // the bare Vert.x broadcast has no presence
                boolean slackir = line.path("target").asText().equals("slackir");
                assertEquals(slackir, line.path("named").asBoolean(), line::toString);
                if (slackir) {
                    assertTrue(line.path("presence_each_min").asLong() >= 1, line::toString);
                } else if (line.path("target").asText().equals("vertx")) {
                    assertEquals(0, line.path("presence_frames_total").asLong(), line::toString);
                }
            }
        }
        Set<String> expected = new TreeSet<>(Set.of("fanout/step", "fanout/summary", "rooms/step", "rooms/summary",
                "store/step", "store/summary", "joins/step"));
        if (redis) {
            expected.addAll(Set.of("cluster/step", "cluster/summary"));
        }
        assertEquals(expected, seen);
        assertFalse(lines.stream().anyMatch(l -> l.path("target").asText().equals("getting-started")));
    }
}
