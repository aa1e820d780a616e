package io.slackir.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Slackir's benchmark: starts Slackir and two baselines (the websockets-next getting-started chat and a bare Vert.x
 * broadcast) one after the other on this machine, drives each with the same {@link Load}, and prints every Slackir
 * figure beside theirs. Each scenario prints a line per step and a summary line, and appends JSON lines to the results
 * file. Talks only to 127.0.0.1; every run is bounded and stops by itself.
 *
 * <p>
 * {@code bench/run} builds what it needs and starts this pinned to the second core; see {@code bench/README.md}.
 */
public final class Bench {

    /** What to run, and how. Every field has a default fit for this 2-core machine; {@code --help} lists them. */
    record Settings(List<String> scenarios, List<Target.Kind> targets, int clients, int senders, int rooms,
            List<Double> fanoutRates, List<Double> roomsRates, List<Double> storeRates, int stepSeconds,
            int storeSeconds, int warmupSeconds, int historySize, List<String> jvm, String serverCpu, String pgCpu,
            boolean synchronousCommit, String jdbcUrl, String dbUser, String dbPassword, Path slackirJar,
            Path gettingStartedJar, Path aotCache, int startupRuns, Path results, Path logs) {
    }

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("targets", "slackir,getting-started,vertx");
        DEFAULTS.put("clients", "1000");
        DEFAULTS.put("senders", "10");
        DEFAULTS.put("rooms", "100");
        DEFAULTS.put("fanout-rates", "50,100,150,200,250,300,400,500");
        DEFAULTS.put("rooms-rates", "500,1000,2000,4000,8000");
        DEFAULTS.put("store-rates", "5000,10000,15000");
        DEFAULTS.put("step-seconds", "10");
        DEFAULTS.put("store-seconds", "60");
        DEFAULTS.put("warmup-seconds", "30");
        DEFAULTS.put("history", "50");
        // No JVM flag: every server runs as it ships (issue 22); --jvm adds flags to each
        DEFAULTS.put("jvm", "");
        DEFAULTS.put("server-cpu", Runtime.getRuntime().availableProcessors() > 1 || cpus() > 1 ? "0" : "");
        DEFAULTS.put("pg-cpu", "server");
        DEFAULTS.put("synchronous-commit", "on");
        DEFAULTS.put("jdbc-url", "");
        DEFAULTS.put("db-user", "postgres");
        DEFAULTS.put("db-password", "postgres");
        DEFAULTS.put("slackir-jar", "target/quarkus-app/quarkus-run.jar");
        DEFAULTS.put("getting-started-jar", "bench/getting-started/target/quarkus-app/quarkus-run.jar");
        DEFAULTS.put("aot-cache", "target/quarkus-app/app.aot");
        DEFAULTS.put("startup-runs", "3");
        DEFAULTS.put("results", "bench/results.jsonl");
        DEFAULTS.put("logs", "target/bench");
    }

    /** Clients connected at once while a stepped scenario sets up. */
    private static final int WAVE = 50;
    /** Joins to another room before {@code joins} measures its crowd. */
    private static final int JOIN_WARMUP = 200;
    /**
     * How long {@code joins} keeps counting presence frames after the crowd has arrived: five of Slackir's 200 ms
     * presence_diff windows, so the last window's diff is in.
     */
    private static final long PRESENCE_SETTLE_MS = 1000;

    static final List<String> SCENARIOS = List.of("fanout", "rooms", "store", "joins", "startup", "cluster");

    private final Settings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Object> context = new LinkedHashMap<>();
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private Database database;

    Bench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || Arrays.asList(args).contains("--help")) {
            System.out.println("usage: bench/run SCENARIO... [--option value]...   scenarios: " + SCENARIOS
                    + " or all\noptions and their defaults:");
            DEFAULTS.forEach((k, v) -> System.out.println("  --" + k + " " + (v.isEmpty() ? "(none)" : v)));
            return;
        }
        new Bench(settings(args)).run();
        // The JDK's HTTP client and the embedded database's reaper threads must not keep the tool alive
        System.exit(0);
    }

    static Settings settings(String... args) {
        Map<String, String> options = new HashMap<>(DEFAULTS);
        List<String> scenarios = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String key = args[i].substring(2);
                if (!DEFAULTS.containsKey(key) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
                }
                options.put(key, args[++i]);
            } else if (args[i].equals("all")) {
                scenarios.addAll(SCENARIOS);
            } else if (SCENARIOS.contains(args[i])) {
                scenarios.add(args[i]);
            } else {
                throw new IllegalArgumentException("unknown scenario " + args[i] + ": " + SCENARIOS);
            }
        }
        String serverCpu = blankToNull(options.get("server-cpu"));
        String pgCpu = options.get("pg-cpu").equals("server") ? serverCpu : blankToNull(options.get("pg-cpu"));
        return new Settings(scenarios,
                Arrays.stream(options.get("targets").split(",")).map(String::trim).map(Target.Kind::of).toList(),
                Integer.parseInt(options.get("clients")), Integer.parseInt(options.get("senders")),
                Integer.parseInt(options.get("rooms")), rates(options.get("fanout-rates")),
                rates(options.get("rooms-rates")), rates(options.get("store-rates")),
                Integer.parseInt(options.get("step-seconds")), Integer.parseInt(options.get("store-seconds")),
                Integer.parseInt(options.get("warmup-seconds")), Integer.parseInt(options.get("history")),
                options.get("jvm").isBlank() ? List.of() : List.of(options.get("jvm").trim().split("\\s+")),
                serverCpu, pgCpu,
                options.get("synchronous-commit").equals("on"), blankToNull(options.get("jdbc-url")),
                options.get("db-user"), options.get("db-password"), Path.of(options.get("slackir-jar")),
                Path.of(options.get("getting-started-jar")), Path.of(options.get("aot-cache")),
                Integer.parseInt(options.get("startup-runs")), Path.of(options.get("results")),
                Path.of(options.get("logs")));
    }

    private static List<Double> rates(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(Double::parseDouble).toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    void run() throws Exception {
        for (Target.Kind kind : settings.targets()) {
            Path jar = switch (kind) {
                case SLACKIR -> settings.slackirJar();
                case GETTING_STARTED -> settings.gettingStartedJar();
                case VERTX -> null;
            };
            if (jar != null && !Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: bench/run builds it");
            }
        }
        context.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        context.put("run", run);
        context.put("commit", command("git", "describe", "--always", "--dirty"));
        context.put("machine", cpus() + " cpus, " + cpuModel());
        context.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        context.put("jvm_flags", String.join(" ", settings.jvm()));
        context.put("server_cpu", settings.serverCpu());
        context.put("load_cpus", command("sh", "-c", "grep Cpus_allowed_list /proc/" + ProcessHandle.current().pid()
                + "/status | cut -f2"));
        System.out.printf("Slackir benchmark %s: commit %s, %s, %s%n", run, context.get("commit"),
                context.get("machine"), context.get("jvm"));
        System.out.printf("Servers pinned to cpu %s (taskset), the load generator runs on cpus %s; server JVM flags: %s%n",
                settings.serverCpu() == null ? "(none)" : settings.serverCpu(), context.get("load_cpus"),
                context.get("jvm_flags"));
        if (settings.targets().contains(Target.Kind.SLACKIR)) {
            database = settings.jdbcUrl() != null
                    ? Database.external(settings.jdbcUrl(), settings.dbUser(), settings.dbPassword())
                    : Database.embedded(settings.pgCpu(), settings.synchronousCommit());
            context.put("database", database.description);
            System.out.println("Slackir stores into " + database.description);
        }
        try {
            for (String scenario : settings.scenarios()) {
                switch (scenario) {
                    case "fanout" -> stepped("fanout", settings.fanoutRates(), 1);
                    case "rooms" -> stepped("rooms", settings.roomsRates(), settings.rooms());
                    case "store" -> store();
                    case "joins" -> joins();
                    case "startup" -> startup();
                    case "cluster" -> cluster();
                    default -> throw new IllegalArgumentException(scenario);
                }
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // fanout and rooms: the same clients, in one room or spread over many; the total rate stepped up

    /** What one step of a stepped scenario measured, for the summary. */
    record StepFigures(double rate, double deliveriesPerSecond, double deliveredPercent, double p50, double p99) {
    }

    private void stepped(String scenario, List<Double> rates, int rooms) throws Exception {
        Map<Target.Kind, List<StepFigures>> figures = new LinkedHashMap<>();
        int perRoom = settings.clients() / rooms;
        for (Target.Kind kind : settings.targets()) {
            List<StepFigures> steps = new ArrayList<>();
            figures.put(kind, steps);
            try (Target target = start(kind, scenario); Load load = new Load(target.port, kind.protocol)) {
                List<Load.Client> senders = new ArrayList<>();
                int clients = rooms * perRoom;
                // Clients arrive in waves, each joined before the next: a ramp, not a thundering herd (the
                // getting-started chat tells everyone of every join, which a thousand joins at once turn into a
                // million frames queued together)
                for (int first = 0; first < clients; first += WAVE) {
                    for (int i = first; i < Math.min(clients, first + WAVE); i++) {
                        int r = i / perRoom;
                        int c = i % perRoom;
                        String room = rooms == 1 ? "lobby-" + run : "room-" + run + "-" + r;
                        Load.Client client = load.connect(kind.path(room, "u" + i, rooms > 1));
                        if (rooms == 1 ? c < settings.senders() : c == 0) {
                            senders.add(client);
                        }
                    }
                    if (!joined(load, kind, Math.min(clients, first + WAVE))) {
                        break;
                    }
                }
                if (load.handshakes() < clients) {
                    continue;
                }
                // Warm the server's JIT at the first rate; not reported
                runStep(load, List.of(target), senders, perRoom, 0, rates.getFirst(), settings.warmupSeconds());
                int stepId = 1;
                for (double rate : rates) {
                    Map<String, Object> step = runStep(load, List.of(target), senders, perRoom, stepId++, rate,
                            settings.stepSeconds());
                    step.put("scenario", scenario);
                    step.put("target", kind.label);
                    step.put("clients", clients);
                    step.put("rooms", rooms);
                    step.put("senders", senders.size());
                    print(scenario, kind, step);
                    record("step", step);
                    StepFigures f = new StepFigures(rate, (double) step.get("deliveries_per_s"),
                            (double) step.get("delivered_pct"), (double) step.get("p50_ms"),
                            (double) step.get("p99_ms"));
                    steps.add(f);
                    if (f.deliveredPercent() < 90) {
                        System.out.printf("%-8s %-16s stops stepping: under 90 %% delivered at %.0f shouts/s%n",
                                scenario, kind.label, rate);
                        break;
                    }
                }
            }
        }
        summarize(scenario, figures);
    }

    /** Waits for every handshake (and Slackir's history frames), then for the join traffic to settle. */
    private boolean joined(Load load, Target.Kind kind, int clients) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        boolean all = load.pumpUntil(() -> load.handshakes() + load.failedHandshakes() >= clients
                && (kind != Target.Kind.SLACKIR || load.histories() >= clients), deadline, null);
        load.pumpUntilQuiet(TimeUnit.MILLISECONDS.toNanos(200), System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
        if (!all || load.failedHandshakes() > 0) {
            System.out.printf("%s: only %d of %d clients joined (%d refused, closes %s); skipped%n", kind.label,
                    load.handshakes(), clients, load.failedHandshakes(), load.closes());
            return false;
        }
        return true;
    }

    /** One step at a steady rate; the server figures are the sum over {@code servers} (one, or each node). */
    private Map<String, Object> runStep(Load load, List<Target> servers, List<Load.Client> senders, int receivers,
            int stepId, double rate, int seconds) {
        Load.Step step = load.step(stepId);
        long window = TimeUnit.SECONDS.toNanos(seconds);
        Target.GcPauses gc = gcPauses(servers);
        double serverCpu = servers.stream().mapToDouble(Target::cpuSeconds).sum();
        double databaseCpu = storing(servers) ? database.cpuSeconds() : Double.NaN;
        double loadCpu = Target.cpuSeconds(ProcessHandle.current().pid());
        long presenceBefore = load.presenceFrames();
        // The schedule starts after the readings: a shout due while the generator reads is sent late, and counted so
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long end = start + window;
        step.windowEnd = end;
        load.pump(end, load.schedule(senders, step, rate, start, end));
        double serverCpuUsed = servers.stream().mapToDouble(Target::cpuSeconds).sum() - serverCpu;
        double databaseCpuUsed = storing(servers) ? database.cpuSeconds() - databaseCpu : Double.NaN;
        double loadCpuUsed = Target.cpuSeconds(ProcessHandle.current().pid()) - loadCpu;
        Target.GcPauses gcUsed = gcPauses(servers).minus(gc);
        double rss = servers.stream().mapToDouble(Target::rssMib).sum();
        // Late deliveries still count as delivered (with their latency), up to 5 s after the last shout was due
        load.pumpUntil(() -> step.delivered >= step.sent * receivers, end + TimeUnit.SECONDS.toNanos(5), null);
        load.pumpUntilQuiet(TimeUnit.MILLISECONDS.toNanos(300), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
        long expected = step.sent * receivers;
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("step", stepId);
        figures.put("rate", rate);
        figures.put("seconds", seconds);
        figures.put("sent", step.sent);
        figures.put("expected", expected);
        figures.put("delivered", step.delivered);
        figures.put("deliveries_per_s", round(step.deliveredInWindow / (double) seconds, 0));
        figures.put("delivered_pct", round(expected == 0 ? 0 : 100.0 * step.delivered / expected, 3));
        percentiles(figures, "", step.latency);
        figures.put("load_send_late_p99_ms", round(step.sendLate.getValueAtPercentile(99) / 1000.0, 2));
        figures.put("load_send_late_max_ms", round(step.sendLate.getMaxValue() / 1000.0, 2));
        if (servers.size() > 1) {
            percentiles(figures, "local_", step.localLatency);
            percentiles(figures, "remote_", step.remoteLatency);
        }
        figures.put("server_cpu_pct", round(100 * serverCpuUsed / seconds, 1));
        // What a delivery and a shout cost the server (and Slackir's database, which stores every shout): CPU time
        // over what the step's window delivered and sent
        figures.put("server_cpu_ms_per_1000_deliveries", round(step.deliveredInWindow == 0 ? Double.NaN
                : serverCpuUsed * 1e6 / step.deliveredInWindow, 2));
        figures.put("server_cpu_ms_per_shout", round(step.sent == 0 ? Double.NaN
                : serverCpuUsed * 1e3 / step.sent, 3));
        if (storing(servers) && step.sent > 0) {
            figures.put("database_cpu_ms_per_shout", round(databaseCpuUsed * 1e3 / step.sent, 3));
        }
        figures.put("gc_pauses", gcUsed.count());
        figures.put("gc_pause_ms", round(gcUsed.seconds() * 1e3, 1));
        figures.put("server_rss_mib", round(rss, 0));
        figures.put("event_loops", servers.stream().mapToInt(Target::eventLoops).sum());
        figures.put("load_cpu_pct", round(100 * loadCpuUsed / seconds, 1));
        // Presence traffic still arriving from the clients' ramp (unnamed, they are counted in every diff): never a
        // shout, but the server's work; a measured step should see none
        figures.put("presence_frames", load.presenceFrames() - presenceBefore);
        figures.put("errors", new LinkedHashMap<>(step.errors));
        figures.put("closes", new LinkedHashMap<>(load.closes()));
        return figures;
    }

    private static Target.GcPauses gcPauses(List<Target> servers) {
        return servers.stream().map(Target::gcPauses).reduce(new Target.GcPauses(0, 0), Target.GcPauses::plus);
    }

    /** Whether these servers store what they are sent into the benchmark's database. */
    private boolean storing(List<Target> servers) {
        return database != null && servers.getFirst().kind == Target.Kind.SLACKIR;
    }

    private static void percentiles(Map<String, Object> figures, String prefix, Histogram h) {
        figures.put(prefix + "p50_ms", round(h.getValueAtPercentile(50) / 1000.0, 2));
        figures.put(prefix + "p99_ms", round(h.getValueAtPercentile(99) / 1000.0, 2));
        figures.put(prefix + "p999_ms", round(h.getValueAtPercentile(99.9) / 1000.0, 2));
        figures.put(prefix + "max_ms", round(h.getMaxValue() / 1000.0, 2));
    }

    /** The step with the most deliveries/s among those held (>= 99.9 % delivered, p99 <= 200 ms), or null. */
    private static StepFigures held(List<StepFigures> steps) {
        StepFigures best = null;
        for (StepFigures f : steps) {
            if (f.deliveredPercent() >= 99.9 && f.p99() <= 200
                    && (best == null || f.deliveriesPerSecond() > best.deliveriesPerSecond())) {
                best = f;
            }
        }
        return best;
    }

    private void print(String scenario, Target.Kind kind, Map<String, Object> f) {
        System.out.printf(Locale.ROOT,
                "%-8s %-16s %6.0f shouts/s  %9.0f deliveries/s  %7.3f %% delivered  p50 %7.2f  p99 %7.2f  "
                        + "p99.9 %7.2f  max %8.2f ms  server cpu %5.1f %% = %.2f ms/1000 deliveries, %.3f ms/shout%s"
                        + "  gc %d pauses %.1f ms  %d event loops  rss %4.0f MiB  load cpu %5.1f %%, "
                        + "sent late by p99 %.2f max %.2f ms%s%s%n",
                scenario, kind.label, f.get("rate"), f.get("deliveries_per_s"), f.get("delivered_pct"),
                f.get("p50_ms"), f.get("p99_ms"), f.get("p999_ms"), f.get("max_ms"), f.get("server_cpu_pct"),
                f.get("server_cpu_ms_per_1000_deliveries"), f.get("server_cpu_ms_per_shout"),
                !f.containsKey("database_cpu_ms_per_shout") ? ""
                        : String.format(Locale.ROOT, " (+ database %.3f ms/stored shout)",
                                f.get("database_cpu_ms_per_shout")),
                f.get("gc_pauses"), f.get("gc_pause_ms"), f.get("event_loops"), f.get("server_rss_mib"),
                f.get("load_cpu_pct"),
                f.get("load_send_late_p99_ms"), f.get("load_send_late_max_ms"),
                (long) f.get("presence_frames") == 0 ? "" : "  presence frames " + f.get("presence_frames"),
                ((Map<?, ?>) f.get("errors")).isEmpty() ? "" : "  errors " + f.get("errors"));
    }

    /**
     * The highest step each target holds (≥ 99.9 % delivered, p99 ≤ 200 ms), and the p99 at 100 shouts/s, with
     * Slackir's ratios to each baseline.
     */
    private void summarize(String scenario, Map<Target.Kind, List<StepFigures>> figures) throws IOException {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("scenario", scenario);
        StringBuilder line = new StringBuilder(scenario + " holds (>= 99.9 % delivered, p99 <= 200 ms):");
        Map<Target.Kind, Double> held = new LinkedHashMap<>();
        for (var entry : figures.entrySet()) {
            StepFigures best = held(entry.getValue());
            String label = entry.getKey().label;
            double deliveries = best == null ? 0 : best.deliveriesPerSecond();
            held.put(entry.getKey(), deliveries);
            summary.put(label + "_holds_rate", best == null ? 0 : best.rate());
            summary.put(label + "_holds_deliveries_per_s", deliveries);
            entry.getValue().stream().filter(f -> f.rate() == 100).findFirst()
                    .ifPresent(f -> summary.put(label + "_p99_ms_at_100", f.p99()));
            line.append(String.format(Locale.ROOT, " %s %.0f shouts/s = %.0f deliveries/s%s;", label,
                    best == null ? 0 : best.rate(), deliveries,
                    summary.containsKey(label + "_p99_ms_at_100")
                            ? " (p99 " + summary.get(label + "_p99_ms_at_100") + " ms at 100/s)"
                            : ""));
        }
        Double slackir = held.get(Target.Kind.SLACKIR);
        if (slackir != null) {
            for (var entry : held.entrySet()) {
                if (entry.getKey() != Target.Kind.SLACKIR) {
                    double ratio = entry.getValue() == 0 ? Double.POSITIVE_INFINITY : slackir / entry.getValue();
                    summary.put("slackir_over_" + entry.getKey().label.replace('-', '_'), round(ratio, 2));
                    line.append(String.format(Locale.ROOT, " slackir/%s %.2fx;", entry.getKey().label, ratio));
                }
            }
        }
        // Slackir's latency over each peer's at the ordinary rates, step by step
        List<StepFigures> ours = figures.getOrDefault(Target.Kind.SLACKIR, List.of());
        for (var entry : figures.entrySet()) {
            if (entry.getKey() == Target.Kind.SLACKIR) {
                continue;
            }
            String peer = entry.getKey().label.replace('-', '_');
            for (StepFigures theirs : entry.getValue()) {
                if (theirs.rate() != 100 && theirs.rate() != 200) {
                    continue;
                }
                ours.stream().filter(f -> f.rate() == theirs.rate()).findFirst().ifPresent(f -> {
                    String at = String.format(Locale.ROOT, "_at_%.0f", f.rate());
                    summary.put("slackir_p50_over_" + peer + at, round(f.p50() / theirs.p50(), 2));
                    summary.put("slackir_p99_over_" + peer + at, round(f.p99() / theirs.p99(), 2));
                    line.append(String.format(Locale.ROOT, " at %.0f/s p50 %.2fx p99 %.2fx %s;", f.rate(),
                            f.p50() / theirs.p50(), f.p99() / theirs.p99(), entry.getKey().label));
                });
            }
        }
        System.out.println(line);
        record("summary", summary);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // store: a client per room, all shouting at a steady total rate; is every shout stored, and is the backlog flat?

    private void store() throws Exception {
        if (!settings.targets().contains(Target.Kind.SLACKIR)) {
            return;
        }
        System.out.println("store: Slackir only; the baselines store nothing");
        double flatUpTo = 0;
        try (Target target = start(Target.Kind.SLACKIR, "store")) {
            int stepId = 1;
            for (double rate : settings.storeRates()) {
                Map<String, Object> f = storeStep(target, stepId++, rate);
                System.out.printf(Locale.ROOT,
                        "store    slackir          %6.0f shouts/s  %d s  sent %d accepted %d acked %d stored %d  "
                                + "accept-to-ack p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms  backlog max %d, "
                                + "slope %.1f/s: %s  server cpu %.1f %% rss %.0f MiB  load cpu %.1f %%%s%n",
                        rate, f.get("seconds"), f.get("sent"), f.get("accepted"), f.get("acked"), f.get("stored"),
                        f.get("ack_p50_ms"), f.get("ack_p99_ms"), f.get("ack_p999_ms"), f.get("ack_max_ms"),
                        f.get("backlog_max"), f.get("backlog_slope_per_s"),
                        (boolean) f.get("backlog_flat") ? "flat" : "GROWING", f.get("server_cpu_pct"),
                        f.get("server_rss_mib"), f.get("load_cpu_pct"),
                        ((Map<?, ?>) f.get("errors")).isEmpty() ? "" : "  errors " + f.get("errors"));
                record("step", f);
                boolean good = (boolean) f.get("backlog_flat") && f.get("stored").equals(f.get("accepted"));
                if (good) {
                    flatUpTo = Math.max(flatUpTo, rate);
                } else {
                    break;
                }
            }
        }
        System.out.printf(Locale.ROOT, "store: every accepted shout stored with a flat backlog up to %.0f shouts/s "
                + "(highest step tried: %s)%n", flatUpTo, settings.storeRates());
        record("summary", new LinkedHashMap<>(Map.of("scenario", "store", "slackir_flat_rate", flatUpTo)));
    }

    private Map<String, Object> storeStep(Target target, int stepId, double rate) throws Exception {
        String prefix = "store-" + run + "-" + stepId + "-";
        try (Load load = new Load(target.port, Load.Protocol.SLACKIR)) {
            List<Load.Client> clients = new ArrayList<>();
            for (int r = 0; r < settings.rooms(); r++) {
                clients.add(load.connect("/chat/" + prefix + r));
            }
            joined(load, Target.Kind.SLACKIR, clients.size());
            Load.Step step = load.step(stepId);
            int seconds = settings.storeSeconds();
            long window = TimeUnit.SECONDS.toNanos(seconds);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            long end = start + window;
            step.windowEnd = end;
            List<long[]> backlog = new CopyOnWriteArrayList<>();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(2)).build();
            sampler.scheduleAtFixedRate(() -> {
                try {
                    String body = http.send(metrics, HttpResponse.BodyHandlers.ofString()).body();
                    for (String line : body.split("\n")) {
                        if (line.startsWith("slackir_shouts_backlog ")) {
                            backlog.add(new long[] {System.nanoTime(),
                                    (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim())});
                        }
                    }
                } catch (IOException | InterruptedException | RuntimeException e) {
                    // a missed sample
                }
            }, 0, 1, TimeUnit.SECONDS);
            double serverCpu = target.cpuSeconds();
            double loadCpu = Target.cpuSeconds(ProcessHandle.current().pid());
            try {
                load.pump(end, load.schedule(clients, step, rate, start, end));
            } finally {
                sampler.shutdownNow();
            }
            double serverCpuUsed = target.cpuSeconds() - serverCpu;
            double loadCpuUsed = Target.cpuSeconds(ProcessHandle.current().pid()) - loadCpu;
            double rss = target.rssMib();
            // Every shout gets its ack, an error, or the retry deadline passes
            load.pumpUntil(() -> step.acks + errors(step) >= step.sent, end + TimeUnit.SECONDS.toNanos(70), null);
            long refused = step.errors.entrySet().stream().filter(e -> !e.getKey().equals("not_stored"))
                    .mapToLong(Map.Entry::getValue).sum();
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("scenario", "store");
            f.put("target", "slackir");
            f.put("step", stepId);
            f.put("rate", rate);
            f.put("seconds", seconds);
            f.put("rooms", clients.size());
            f.put("sent", step.sent);
            f.put("accepted", step.sent - refused);
            f.put("acked", step.acks);
            f.put("stored", database.stored(prefix));
            percentiles(f, "ack_", step.ackLatency);
            long max = backlog.stream().mapToLong(s -> s[1]).max().orElse(-1);
            double slope = slope(backlog);
            f.put("backlog_max", max);
            f.put("backlog_samples", backlog.size());
            f.put("backlog_slope_per_s", round(slope, 1));
            // Flat: nothing refused for overload, and the backlog grows by less than 0.5 % of the rate a second
            f.put("backlog_flat", !step.errors.containsKey("overloaded") && slope < rate * 0.005);
            f.put("server_cpu_pct", round(100 * serverCpuUsed / seconds, 1));
            f.put("server_rss_mib", round(rss, 0));
            f.put("load_cpu_pct", round(100 * loadCpuUsed / seconds, 1));
            f.put("errors", new LinkedHashMap<>(step.errors));
            return f;
        }
    }

    private static long errors(Load.Step step) {
        return step.errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Least-squares slope of (nanoTime, value) samples, per second. */
    static double slope(List<long[]> samples) {
        int n = samples.size();
        if (n < 3) {
            return 0;
        }
        double t0 = samples.getFirst()[0];
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (long[] s : samples) {
            double x = (s[0] - t0) / 1e9;
            sx += x;
            sy += s[1];
            sxx += x * x;
            sxy += x * s[1];
        }
        double d = n * sxx - sx * sx;
        return d == 0 ? 0 : (n * sxy - sx * sy) / d;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // joins: every client connects at once to a room that holds shouts already

    private void joins() throws Exception {
        String room = "joins-" + run;
        for (Target.Kind kind : settings.targets()) {
            try (Target target = start(kind, "joins"); Load load = new Load(target.port, kind.protocol)) {
                // A fresh server has loaded none of its join path yet: a first crowd would measure class loading and
                // the JIT. Every target gets the same warm-up, a few waves of joins to another room, then left.
                int warm = Math.min(settings.clients(), JOIN_WARMUP);
                try (Load warming = new Load(target.port, kind.protocol)) {
                    for (int first = 0; first < warm; first += WAVE) {
                        for (int i = first; i < Math.min(warm, first + WAVE); i++) {
                            warming.connect(joinPath(kind, room + "-warm", "w" + i, "w" + i));
                        }
                        if (!joined(warming, kind, Math.min(warm, first + WAVE))) {
                            break;
                        }
                    }
                }
                Thread.sleep(1000);
                if (kind == Target.Kind.SLACKIR) {
                    seed(target.port, room, settings.historySize());
                }
                long start = System.nanoTime();
                List<Load.Client> clients = new ArrayList<>();
                for (int i = 0; i < settings.clients(); i++) {
                    clients.add(load.connect(joinPath(kind, room, "u" + i, "c" + i)));
                }
                boolean history = kind == Target.Kind.SLACKIR;
                boolean all = load.pumpUntil(() -> (history ? load.histories() : load.handshakes())
                        + load.failedHandshakes() >= clients.size(), start + TimeUnit.SECONDS.toNanos(60), null);
                long last = clients.stream().mapToLong(c -> history ? c.historyAt : c.handshakeAt).max().orElse(0);
                Histogram each = new Histogram(60_000_000L, 3);
                for (Load.Client c : clients) {
                    long at = history ? c.historyAt : c.handshakeAt;
                    if (at > 0) {
                        each.recordValue((at - c.started) / 1000);
                    }
                }
                // Presence frames each client got from its connect until the crowd had arrived, and a settle for the
                // last diff window; what comes later still is counted apart
                load.pump((all ? last : System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(PRESENCE_SETTLE_MS), null);
                List<Load.Client> arrived = clients.stream().filter(c -> (history ? c.historyAt : c.handshakeAt) > 0)
                        .toList();
                int[] presence = arrived.stream().mapToInt(c -> c.presenceFrames).sorted().toArray();
                long presenceFrames = Arrays.stream(presence).sum();
                long presenceBytes = arrived.stream().mapToLong(c -> c.presenceBytes).sum();
                load.pumpUntilQuiet(TimeUnit.MILLISECONDS.toNanos(500), System.nanoTime()
                        + TimeUnit.SECONDS.toNanos(30));
                long presenceLater = arrived.stream().mapToLong(c -> c.presenceFrames).sum() - presenceFrames;
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("scenario", "joins");
                f.put("target", kind.label);
                f.put("clients", clients.size());
                f.put("warmup_joins", warm);
                f.put("joined", history ? load.histories() : load.handshakes());
                f.put("waits_for", history ? "history (" + settings.historySize() + " shouts)" : "101 handshake");
                f.put("all_within_ms", all ? round((last - start) / 1e6, 1) : -1);
                percentiles(f, "each_", each);
                f.put("server_rss_mib", round(target.rssMib(), 0));
                f.put("named", kind == Target.Kind.SLACKIR);
                f.put("presence_frames_are", switch (kind) {
                    case SLACKIR -> "presence, presence_diff";
                    case GETTING_STARTED -> "USER_JOINED, USER_LEFT";
                    case VERTX -> "none";
                });
                f.put("presence_settle_ms", PRESENCE_SETTLE_MS);
                f.put("presence_each_min", rank(presence, 0));
                f.put("presence_each_p50", rank(presence, 50));
                f.put("presence_each_p99", rank(presence, 99));
                f.put("presence_each_max", rank(presence, 100));
                f.put("presence_frames_total", presenceFrames);
                f.put("presence_bytes_total", presenceBytes);
                f.put("presence_frames_after_settle", presenceLater);
                System.out.printf(Locale.ROOT, "joins    %-16s %d clients, %d joined (%s): all within %.1f ms, each "
                        + "p50 %.2f p99 %.2f max %.2f ms; server rss after %.0f MiB; presence frames %s%n",
                        kind.label, clients.size(), f.get("joined"), f.get("waits_for"), f.get("all_within_ms"),
                        f.get("each_p50_ms"), f.get("each_p99_ms"), f.get("each_max_ms"), f.get("server_rss_mib"),
                        kind == Target.Kind.VERTX ? "n/a (no presence)" : String.format(Locale.ROOT,
                                "(%s) per client until all joined + %d ms: p50 %d p99 %d max %d (min %d); %d in all, "
                                        + "%s; %d more later",
                                f.get("presence_frames_are"), PRESENCE_SETTLE_MS, f.get("presence_each_p50"),
                                f.get("presence_each_p99"), f.get("presence_each_max"), f.get("presence_each_min"),
                                presenceFrames, size(presenceBytes), presenceLater));
                record("step", f);
            }
        }
    }

    /**
     * Where a joiner connects: Slackir's name themselves ({@code ?name=c0}; {@code w0} in the warm-up), so presence
     * lists every one of them; the baselines keep their own paths, {@code user} in the getting-started chat's.
     */
    private static String joinPath(Target.Kind kind, String room, String user, String name) {
        String path = kind.path(room, user, false);
        return kind == Target.Kind.SLACKIR ? path + "?name=" + name : path;
    }

    private static String size(long bytes) {
        return bytes < 1 << 20 ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** The nearest-rank percentile of sorted counts; 0 when there are none. */
    static int rank(int[] sorted, double percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** Shouts {@code count} messages into a room over HTTP, as a room with a past. */
    private static void seed(int port, String room, int count) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < count; i++) {
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/rooms/" + room
                    + "/messages")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"seed\",\"message\":\"earlier shout " + i
                            + "\"}"))
                    .build();
            int status = http.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 202) {
                throw new IOException("seeding the room got " + status);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // startup: process start to the first successful readiness check, and the RSS then

    private void startup() throws Exception {
        List<String[]> variants = new ArrayList<>();
        for (Target.Kind kind : settings.targets()) {
            variants.add(new String[] {kind.label, "jar"});
            if (kind == Target.Kind.SLACKIR) {
                variants.add(new String[] {kind.label, "jar + AOT cache"});
            }
        }
        for (String[] variant : variants) {
            Target.Kind kind = Target.Kind.of(variant[0]);
            boolean aot = variant[1].contains("AOT");
            List<String> jvm = new ArrayList<>(settings.jvm());
            if (aot) {
                Path cache = aotCache();
                if (cache == null) {
                    System.out.println("startup  slackir: no AOT cache could be made; skipped");
                    continue;
                }
                jvm.add("-XX:AOTCache=" + cache.toAbsolutePath());
            }
            double[] millis = new double[settings.startupRuns()];
            double[] rss = new double[settings.startupRuns()];
            for (int i = 0; i < millis.length; i++) {
                try (Target target = start(kind, "startup", jvm)) {
                    millis[i] = target.startupMillis();
                    rss[i] = target.rssMib();
                }
            }
            Arrays.sort(millis);
            Arrays.sort(rss);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("scenario", "startup");
            f.put("target", kind.label);
            f.put("variant", variant[1]);
            f.put("runs", millis.length);
            f.put("ready_ms_median", round(millis[millis.length / 2], 0));
            f.put("ready_ms_min", round(millis[0], 0));
            f.put("ready_ms_max", round(millis[millis.length - 1], 0));
            f.put("rss_mib_median", round(rss[rss.length / 2], 0));
            f.put("ready_path", kind.readyPath);
            System.out.printf(Locale.ROOT, "startup  %-16s %-16s ready (%s) in %.0f ms median (%.0f-%.0f), rss then "
                    + "%.0f MiB%n", kind.label, variant[1], kind.readyPath, f.get("ready_ms_median"),
                    f.get("ready_ms_min"), f.get("ready_ms_max"), f.get("rss_mib_median"));
            record("step", f);
        }
    }

    /**
     * The AOT cache Quarkus recorded while the *IT suites ran ({@code ./mvnw verify}), or one made here by a training
     * run of the jar ({@code -XX:AOTCacheOutput}, JDK 25): start, a few shouts, stop.
     */
    private Path aotCache() throws Exception {
        if (newerThanJar(settings.aotCache())) {
            context.put("aot_cache", settings.aotCache().toString());
            return settings.aotCache();
        }
        Path made = settings.logs().resolve("app.aot").toAbsolutePath();
        if (newerThanJar(made)) {
            context.put("aot_cache", made.toString());
            return made;
        }
        // A cache recorded from an older jar is refused by the JVM, silently: the start would be the jar's own
        Files.deleteIfExists(made);
        List<String> jvm = new ArrayList<>(settings.jvm());
        jvm.add("-XX:AOTCacheOutput=" + made);
        try (Target target = start(Target.Kind.SLACKIR, "aot-training", jvm)) {
            seed(target.port, "aot-training", 20);
        }
        if (!Files.exists(made)) {
            return null;
        }
        context.put("aot_cache", made + " (trained here)");
        return made;
    }

    private boolean newerThanJar(Path cache) throws IOException {
        return Files.exists(cache) && Files.getLastModifiedTime(cache)
                .compareTo(Files.getLastModifiedTime(settings.slackirJar())) > 0;
    }

    // ----------------------------------------------------------------------------------------------------------------
    // cluster: two Slackir nodes fanning out through Redis, one room, clients split between them, senders on one

    private void cluster() throws Exception {
        if (!settings.targets().contains(Target.Kind.SLACKIR)) {
            return;
        }
        if (command("sh", "-c", "command -v redis-server").isBlank()) {
            System.out.println("cluster: redis-server is not installed (apt-get install redis-server); skipped");
            return;
        }
        int redisPort = freePort();
        List<String> redisCommand = new ArrayList<>();
        if (settings.serverCpu() != null) {
            redisCommand.addAll(List.of("taskset", "-c", settings.serverCpu()));
        }
        redisCommand.addAll(List.of("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"));
        Files.createDirectories(settings.logs());
        Process redis = new ProcessBuilder(redisCommand).redirectErrorStream(true)
                .redirectOutput(settings.logs().resolve("cluster-redis-" + run + ".log").toFile()).start();
        System.out.printf("cluster: two Slackir nodes and redis-server %s, all pinned to cpu %s; %d clients in one"
                + " room, every other one on each node; the %d senders on node a%n",
                command("redis-server", "--version").replaceAll(".*v=(\\S+).*", "$1"),
                settings.serverCpu() == null ? "(none)" : settings.serverCpu(), settings.clients(),
                settings.senders());
        List<StepFigures> steps = new ArrayList<>();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("scenario", "cluster");
        try {
            Map<String, String> env = Map.of("SLACKIR_CLUSTER_REDIS_URL", "redis://127.0.0.1:" + redisPort);
            try (Target a = start(Target.Kind.SLACKIR, "cluster", settings.jvm(),
                    merge(env, "SLACKIR_CLUSTER_NODE_ID", "a"), "slackir-a");
                    Target b = start(Target.Kind.SLACKIR, "cluster", settings.jvm(),
                            merge(env, "SLACKIR_CLUSTER_NODE_ID", "b"), "slackir-b");
                    Load load = new Load(a.port, Load.Protocol.SLACKIR)) {
                String room = "cluster-" + run;
                List<Load.Client> senders = new ArrayList<>();
                int clients = settings.clients();
                for (int first = 0; first < clients; first += WAVE) {
                    for (int i = first; i < Math.min(clients, first + WAVE); i++) {
                        boolean onB = i % 2 == 1;
                        Load.Client client = load.connect(onB ? b.port : a.port, "/chat/" + room, onB);
                        if (!onB && senders.size() < settings.senders()) {
                            senders.add(client);
                        }
                    }
                    if (!joined(load, Target.Kind.SLACKIR, Math.min(clients, first + WAVE))) {
                        return;
                    }
                }
                List<Target> nodes = List.of(a, b);
                runStep(load, nodes, senders, clients, 0, settings.fanoutRates().getFirst(),
                        settings.warmupSeconds());
                int stepId = 1;
                for (double rate : settings.fanoutRates()) {
                    Map<String, Object> f = runStep(load, nodes, senders, clients, stepId++, rate,
                            settings.stepSeconds());
                    f.put("scenario", "cluster");
                    f.put("target", "slackir x2");
                    f.put("clients", clients);
                    f.put("rooms", 1);
                    f.put("senders", senders.size());
                    f.put("extra_p99_ms", round((double) f.get("remote_p99_ms") - (double) f.get("local_p99_ms"), 2));
                    print("cluster", Target.Kind.SLACKIR, f);
                    System.out.printf(Locale.ROOT,
                            "cluster  %6.0f shouts/s  same node p50 %7.2f p99 %7.2f ms, other node p50 %7.2f p99"
                                    + " %7.2f ms: a cross-node delivery costs %+.2f ms at p99%n",
                            rate, f.get("local_p50_ms"), f.get("local_p99_ms"), f.get("remote_p50_ms"),
                            f.get("remote_p99_ms"), f.get("extra_p99_ms"));
                    record("step", f);
                    StepFigures figures = new StepFigures(rate, (double) f.get("deliveries_per_s"),
                            (double) f.get("delivered_pct"), (double) f.get("p50_ms"),
                            (double) f.get("p99_ms"));
                    steps.add(figures);
                    if (rate == 100) {
                        summary.put("local_p99_ms_at_100", f.get("local_p99_ms"));
                        summary.put("remote_p99_ms_at_100", f.get("remote_p99_ms"));
                        summary.put("extra_p99_ms_at_100", f.get("extra_p99_ms"));
                    }
                    if (figures.deliveredPercent() < 90) {
                        System.out.printf("cluster  stops stepping: under 90 %% delivered at %.0f shouts/s%n", rate);
                        break;
                    }
                }
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
        StepFigures best = held(steps);
        summary.put("slackir_x2_holds_rate", best == null ? 0 : best.rate());
        summary.put("slackir_x2_holds_deliveries_per_s", best == null ? 0 : best.deliveriesPerSecond());
        System.out.printf(Locale.ROOT, "cluster holds (>= 99.9 %% delivered, p99 <= 200 ms): two nodes %.0f shouts/s"
                + " = %.0f deliveries/s; cross-node p99 at 100/s %s ms over a same-node %s ms%n",
                best == null ? 0 : best.rate(), best == null ? 0 : best.deliveriesPerSecond(),
                summary.getOrDefault("remote_p99_ms_at_100", "-"), summary.getOrDefault("local_p99_ms_at_100", "-"));
        record("summary", summary);
    }

    private static Map<String, String> merge(Map<String, String> env, String key, String value) {
        Map<String, String> merged = new HashMap<>(env);
        merged.put(key, value);
        return merged;
    }

    private Target start(Target.Kind kind, String scenario) throws Exception {
        return start(kind, scenario, settings.jvm());
    }

    private Target start(Target.Kind kind, String scenario, List<String> jvm) throws Exception {
        return start(kind, scenario, jvm, Map.of(), kind.label);
    }

    private Target start(Target.Kind kind, String scenario, List<String> jvm, Map<String, String> extraEnv,
            String name) throws Exception {
        int port = freePort();
        Map<String, String> env = new HashMap<>(extraEnv);
        if (kind == Target.Kind.SLACKIR) {
            env.put("QUARKUS_DATASOURCE_JDBC_URL", database.url);
            env.put("QUARKUS_DATASOURCE_USERNAME", database.user);
            env.put("QUARKUS_DATASOURCE_PASSWORD", database.password);
            // The load is a few clients sending for many: per-connection limits would refuse it
            env.put("SLACKIR_LIMITS_RATE", "1000000");
            env.put("SLACKIR_LIMITS_BURST", "1000000");
        }
        Path log = settings.logs().resolve(scenario + "-" + name + "-" + run + ".log");
        Target target = Target.start(kind, settings, port, jvm, env, log);
        if (!target.awaitReady(Duration.ofSeconds(60))) {
            target.close();
            throw new IllegalStateException(kind.label + " did not get ready within 60 s; see " + log);
        }
        return target;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void record(String type, Map<String, Object> figures) throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", type);
        line.putAll(figures);
        line.putAll(context);
        Path results = settings.results();
        if (results.getParent() != null) {
            Files.createDirectories(results.getParent());
        }
        Files.writeString(results, json.writeValueAsString(line) + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static double round(double value, int digits) {
        if (!Double.isFinite(value)) {
            return value;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static int cpus() {
        try {
            return (int) Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String command(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
