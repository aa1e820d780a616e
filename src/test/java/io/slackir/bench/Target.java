package io.slackir.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A chat server under test, in a process of its own, pinned to its core: Slackir's jar, the getting-started chat's jar,
 * or the bare Vert.x broadcast. Knows when it is ready, and reads its CPU time and RSS from {@code /proc}.
 */
final class Target implements AutoCloseable {

    /** The servers the benchmark compares. */
    enum Kind {
        SLACKIR("slackir", Load.Protocol.SLACKIR, "/q/health/ready"),
        GETTING_STARTED("getting-started", Load.Protocol.GETTING_STARTED, "/"),
        VERTX("vertx", Load.Protocol.SLACKIR, "/");

        final String label;
        final Load.Protocol protocol;
        final String readyPath;

        Kind(String label, Load.Protocol protocol, String readyPath) {
            this.label = label;
            this.protocol = protocol;
            this.readyPath = readyPath;
        }

        static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown target " + label + ": slackir, getting-started or vertx");
        }

        /**
         * The path a client of {@code room} connects to; {@code user} names it where the server wants a name.
         *
         * @param several whether the scenario has several rooms
         */
        String path(String room, String user, boolean several) {
            return switch (this) {
                case SLACKIR, VERTX -> "/chat/" + room;
                // The getting-started chat has one room, everyone; its rooms variant scopes the broadcast by path
                case GETTING_STARTED -> several ? "/rooms/" + room + "/" + user : "/chat/" + user;
            };
        }
    }

    /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ): 100 on Linux. */
    private static final double TICKS = 100.0;

    final Kind kind;
    final int port;
    final Process process;
    final long startedNanos;
    long readyNanos;

    private Target(Kind kind, int port, Process process, long startedNanos) {
        this.kind = kind;
        this.port = port;
        this.process = process;
        this.startedNanos = startedNanos;
    }

    /**
     * Starts a server.
     *
     * @param cpu the core to pin it to ({@code taskset -c}), or null
     * @param jvm JVM options, e.g. the heap
     * @param env environment settings (Slackir's datasource and limits)
     */
    static Target start(Kind kind, Bench.Settings settings, int port, List<String> jvm, Map<String, String> env,
            Path log) throws IOException {
        List<String> command = new ArrayList<>();
        if (settings.serverCpu() != null) {
            command.addAll(List.of("taskset", "-c", settings.serverCpu()));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        switch (kind) {
            case SLACKIR -> command.addAll(List.of("-jar", settings.slackirJar().toString()));
            case GETTING_STARTED -> command.addAll(List.of("-Dquarkus.http.port=" + port,
                    "-Dquarkus.http.host=127.0.0.1", "-jar", settings.gettingStartedJar().toString()));
            case VERTX -> command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                    VertxChat.class.getName(), String.valueOf(port)));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        if (kind == Kind.SLACKIR) {
            builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
            builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        }
        Files.createDirectories(log.getParent());
        long started = System.nanoTime();
        return new Target(kind, port, builder.start(), started);
    }

    /** Waits until the ready path answers 200; false when the process died or {@code timeout} passed. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + kind.readyPath))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    readyNanos = System.nanoTime();
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        return false;
    }

    double startupMillis() {
        return (readyNanos - startedNanos) / 1e6;
    }

    /** CPU time (user + system) the server has used, in seconds. */
    double cpuSeconds() {
        return cpuSeconds(process.pid());
    }

    static double cpuSeconds(long pid) {
        return cpuSeconds(pid, false);
    }

    /** @param reaped whether to add the time of the children the process waited for */
    static double cpuSeconds(long pid, boolean reaped) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            if (reaped) {
                ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            }
            return ticks / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The pauses of a JVM's collectors so far: how many, and how long in all. */
    record GcPauses(long count, double seconds) {

        static final GcPauses UNKNOWN = new GcPauses(-1, Double.NaN);

        GcPauses plus(GcPauses other) {
            return new GcPauses(count + other.count, seconds + other.seconds);
        }

        GcPauses minus(GcPauses before) {
            return new GcPauses(count - before.count, seconds - before.seconds);
        }
    }

    /**
     * The server's GC pauses so far, read from the performance counters the JVM keeps in a file
     * ({@code hsperfdata_USER/PID}, what {@code jstat} reads): nothing is asked of the server, no flag, no attach, no
     * process started beside the load. Every collector's pauses: young, full, and those of concurrent cycles.
     */
    GcPauses gcPauses() {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"),
                String.valueOf(process.pid()));
        try {
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file));
            // The prologue: magic (big-endian), byte order (1 = little-endian), ..., entry offset, entry count
            data.order(data.get(4) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
            int entry = data.getInt(24);
            int entries = data.getInt(28);
            long frequency = 0;
            long ticks = 0;
            long count = 0;
            for (int i = 0; i < entries; i++) {
                int length = data.getInt(entry);
                int nameAt = entry + data.getInt(entry + 4);
                int nameEnd = nameAt;
                while (data.get(nameEnd) != 0) {
                    nameEnd++;
                }
                String name = new String(data.array(), nameAt, nameEnd - nameAt, StandardCharsets.US_ASCII);
                if (data.get(entry + 12) == 'J' && data.getInt(entry + 8) == 0) {
                    long value = data.getLong(entry + data.getInt(entry + 16));
                    if (name.equals("sun.os.hrt.frequency")) {
                        frequency = value;
                    } else if (name.startsWith("sun.gc.collector.") && name.endsWith(".time")) {
                        ticks += value;
                    } else if (name.startsWith("sun.gc.collector.") && name.endsWith(".invocations")) {
                        count += value;
                    }
                }
                entry += length;
            }
            return frequency == 0 ? GcPauses.UNKNOWN : new GcPauses(count, ticks / (double) frequency);
        } catch (IOException | RuntimeException e) {
            return GcPauses.UNKNOWN;
        }
    }

    /** The Vert.x event loop threads the server has started (one per loop, started as connections come). */
    int eventLoops() {
        try (var tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
            return (int) tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).startsWith("vert.x-eventloo");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Resident set size, in MiB. */
    double rssMib() {
        return rssMib(process.pid());
    }

    static double rssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return Double.NaN;
    }

    /** SIGTERM, as an orchestrator stops a service, then SIGKILL if it lingers. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
