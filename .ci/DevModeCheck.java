import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proves dev mode, non-interactively, on a clean copy of the project (run by .ci/run, with a JDK 21+:
 * {@code java .ci/DevModeCheck.java}). It starts {@code ./mvnw quarkus:dev} as the README has it (continuous testing
 * comes on by itself, from application.properties), waits until the service is ready, opens every page of the Dev UI,
 * exchanges shouts over the socket, waits for the continuous-testing result, edits a Java class, sees the new code
 * answer and the tests run again, then stops dev mode, checks that neither it nor its PostgreSQL is left running, and
 * that nothing of all this logged an ERROR or a stack trace. Then it starts dev mode again in jwt mode
 * ({@code -Dslackir.auth.mode=jwt}, as docs/operations.md has it) and proves a token of {@code dev/Token.java} signs in
 * while none gets 401. Every step is bounded in time; the figures are printed at the end.
 */
public class DevModeCheck {

    private static final Duration READY = Duration.ofMinutes(5);
    private static final Duration TESTS = Duration.ofMinutes(10);
    private static final Duration RELOAD = Duration.ofMinutes(2);
    private static final Duration QUIT = Duration.ofMinutes(1);
    private static final Pattern RESULT = Pattern.compile(
            "(All (\\d+) tests are passing[^\\n]*)|(\\d+ tests? failed[^\\n]*)|(No tests found)");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    public static void main(String[] args) throws Exception {
        Path project = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        Path copy = Files.createTempDirectory("slackir-devmode-");
        copyTrackedFiles(project, copy);
        int port = freePort();
        int devDb = freePort();
        int testDb = freePort();
        Path log = copy.resolve("devmode.log");
        String mvn = String.join(" ", "./mvnw", "--batch-mode", "--no-transfer-progress", "quarkus:dev",
                "-Ddebug=false", "-Dquarkus.console.basic=true",
                "-Dquarkus.http.port=" + port,
                "-D%dev.quarkus.embedded.postgresql.port=" + devDb,
                "-D%test.quarkus.embedded.postgresql.port=" + testDb);
        say("Dev mode in %s (http %d, databases %d and %d)", copy, port, devDb, testDb);

        // A pseudo-terminal (script) gives dev mode its console: the continuous-testing results are printed there
        long start = System.nanoTime();
        Process devMode = new ProcessBuilder("script", "-qfec", mvn, "/dev/null")
                .directory(copy.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        OutputStream keyboard = devMode.getOutputStream();
        boolean ok = false;
        try {
            URI base = URI.create("http://localhost:" + port + "/");
            until("dev mode is ready", READY, () -> status(base.resolve("/q/health/ready")) == 200, devMode, log);
            double ready = seconds(start);
            say("Ready after %.1f s", ready);

            // Its first run, timed on its own: before the Dev UI's pages open in Chromium beside it
            long testsFrom = System.nanoTime();
            String result = until("continuous testing reports", TESTS,
                    () -> results(log).isEmpty() ? null : results(log).getLast(), devMode, log);
            double tests = seconds(testsFrom);
            say("Continuous testing: %s (%.1f s after ready, %.1f s after start)", result, tests, seconds(start));
            if (!result.startsWith("All ")) {
                throw new IllegalStateException("continuous testing failed: " + result);
            }

            HttpResponse<String> devUi = HTTP.send(HttpRequest.newBuilder(base.resolve("/q/dev-ui/"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (devUi.statusCode() != 200 || !devUi.body().contains("<title>Dev UI")) {
                throw new IllegalStateException("the Dev UI did not load: " + devUi.statusCode());
            }
            say("The Dev UI loads");
            List<String> pages = devUiPages(base);
            openInBrowser(base, pages);
            String routes = get(base.resolve("/q/dev-ui/endpoints/routes.json"));
            if (!routes.contains("\"path\" : \"'/q/'\"") || !routes.contains("contextHandlers")) {
                throw new IllegalStateException("the Dev UI's Routes table lists no routes: " + routes);
            }
            say("The Dev UI's Routes table lists the routes");

            String room = "devmode";
            try (Chat chat = Chat.join(base, room)) {
                chat.send("{\"type\":\"shout\",\"name\":\"Dev\",\"message\":\"hello from dev mode\",\"ref\":\"d1\"}");
                chat.await(f -> f.contains("\"type\":\"shout\"") && f.contains("hello from dev mode"));
                chat.await(f -> f.contains("\"type\":\"ack\"") && f.contains("\"d1\""));
                chat.send("{\"type\":\"shout\",\"name\":\"\",\"message\":\"x\",\"ref\":\"d2\"}");
                chat.await(f -> f.contains("\"d2\"") && f.contains("the shout is invalid"));
            }
            say("Shouted over the socket: broadcast, acked, and an invalid one refused");


            // An edit that no test asserts on, so that the run it triggers passes too
            Path socket = copy.resolve("src/main/java/io/slackir/chat/ChatSocket.java");
            String source = Files.readString(socket);
            if (!source.contains("\"the frame is not JSON\"")) {
                throw new IllegalStateException("ChatSocket.java no longer says \"the frame is not JSON\"");
            }
            int runs = results(log).size();
            Files.writeString(socket,
                    source.replace("\"the frame is not JSON\"", "\"the frame is not JSON (reloaded)\""));
            long edited = System.nanoTime();
            until("the edited code answers", RELOAD, () -> {
                try (Chat chat = Chat.join(base, room)) {
                    chat.send("not json");
                    return chat.await(f -> f.contains("\"malformed\"")).contains("(reloaded)");
                } catch (Exception e) {
                    return false;
                }
            }, devMode, log);
            double reload = seconds(edited);
            say("Live reload: the edited ChatSocket answered %.1f s after the edit", reload);
            String rerun = until("continuous testing runs the tests again", TESTS,
                    () -> results(log).size() > runs ? results(log).getLast() : null, devMode, log);
            say("Continuous testing after the edit: %s (%.1f s after the edit)", rerun, seconds(edited));
            if (!rerun.startsWith("All ")) {
                throw new IllegalStateException("continuous testing failed after the edit: " + rerun);
            }
            say("FIGURES dev-mode ready %.1f s; continuous testing %.1f s (%s); live reload %.1f s", ready, tests,
                    result, reload);
            ok = true;
        } finally {
            quit(devMode, keyboard, List.of(port, devDb, testDb), copy, log, ok);
        }
        jwtMode(copy);
        // Only the copy is removed: a failed run keeps it (and its logs) to look at
        deleteTree(copy);
    }

    /**
     * Dev mode in jwt mode, without an identity provider: the pom has {@code quarkus:dev} trust {@code dev/jwt}'s key
     * pair, and {@code dev/Token.java} mints a token with it. Continuous testing is off for this short run.
     */
    private static void jwtMode(Path copy) throws Exception {
        int port = freePort();
        int devDb = freePort();
        int testDb = freePort();
        Path log = copy.resolve("devmode-jwt.log");
        String mvn = String.join(" ", "./mvnw", "--batch-mode", "--no-transfer-progress", "quarkus:dev",
                "-Ddebug=false", "-Dquarkus.console.basic=true", "-Dquarkus.test.continuous-testing=disabled",
                "-Dslackir.auth.mode=jwt", "-Dslackir.rooms.private=ops",
                "-Dquarkus.http.port=" + port,
                "-D%dev.quarkus.embedded.postgresql.port=" + devDb,
                "-D%test.quarkus.embedded.postgresql.port=" + testDb);
        long start = System.nanoTime();
        Process devMode = new ProcessBuilder("script", "-qfec", mvn, "/dev/null")
                .directory(copy.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ok = false;
        try {
            URI base = URI.create("http://localhost:" + port + "/");
            until("dev mode in jwt mode is ready", READY, () -> status(base.resolve("/q/health/ready")) == 200,
                    devMode, log);
            double ready = seconds(start);
            if (status(base.resolve("/api/rooms/lobby/messages")) != 401) {
                throw new IllegalStateException("jwt mode in dev mode answers the API without a token");
            }
            Process mint = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "dev/Token.java", "dev-ada", "room:ops").directory(copy.toFile()).start();
            String token = new String(mint.getInputStream().readAllBytes()).strip();
            if (mint.waitFor() != 0 || token.isEmpty()) {
                throw new IllegalStateException("dev/Token.java failed: " + new String(mint.getErrorStream()
                        .readAllBytes()));
            }
            try (Chat chat = Chat.join(base, "ops", token)) {
                chat.send("{\"type\":\"shout\",\"message\":\"signed in from dev mode\",\"ref\":\"j1\"}");
                chat.await(f -> f.contains("\"name\":\"dev-ada\"") && f.contains("signed in from dev mode"));
                chat.await(f -> f.contains("\"type\":\"ack\"") && f.contains("\"j1\""));
            }
            say("jwt mode in dev mode: ready after %.1f s; the API answers 401 without a token; a dev/Token.java "
                    + "token joins the private room ops and shouts as dev-ada", ready);
            ok = true;
        } finally {
            quit(devMode, devMode.getOutputStream(), List.of(port, devDb, testDb), copy, log, ok);
        }
    }

    /**
     * Stops dev mode as a service manager would, with SIGTERM to its JVM (whose shutdown stops the databases it
     * started), waits for it to end, and checks nothing it started is left: no process, no database on its ports.
     */
    private static void quit(Process devMode, OutputStream keyboard, List<Integer> ports, Path copy, Path log,
            boolean passed) throws Exception {
        List<ProcessHandle> started = new ArrayList<>(devMode.descendants().toList());
        long quitting = System.nanoTime();
        started.stream().filter(p -> p.info().commandLine().map(c -> c.contains("slackir-dev.jar")).orElse(false))
                .forEach(ProcessHandle::destroy);
        boolean quit = devMode.waitFor(QUIT.toSeconds(), TimeUnit.SECONDS);
        if (!quit) {
            say("Dev mode did not stop within %s of SIGTERM: killing it", QUIT);
            started.forEach(ProcessHandle::destroyForcibly);
            devMode.destroyForcibly();
        }
        // The databases run as daemons (pg_ctl), not as children: they must be gone from their ports too, and stay
        // gone (a database still starting when the signal came would show up a moment later)
        until("dev mode's processes are gone", Duration.ofSeconds(30),
                () -> started.stream().noneMatch(ProcessHandle::isAlive) && ports.stream().noneMatch(DevModeCheck::open)
                        && leftovers(copy).isEmpty(), null, log);
        Thread.sleep(5000);
        List<Integer> reopened = ports.stream().filter(DevModeCheck::open).toList();
        if (!reopened.isEmpty() || !leftovers(copy).isEmpty()) {
            throw new IllegalStateException("left behind: listening on " + reopened + ", processes " + leftovers(copy));
        }
        say("Dev mode stopped in %.1f s; no process left", seconds(quitting));
        if (!quit) {
            throw new IllegalStateException("dev mode did not stop on SIGTERM");
        }
        // The Routes page of Quarkus 3.36.1 is served by io.slackir.DevUiRoutes in dev mode; tests that provoke
        // failures log them at levels and categories kept out of the way (docs/operations.md)
        List<String> errors = errorLines(log);
        if (!errors.isEmpty()) {
            throw new IllegalStateException(String.format("dev mode's output holds %d ERROR or stack-trace line(s):%n%s",
                    errors.size(), String.join("\n", errors)));
        }
        say("No ERROR line and no stack trace in dev mode's output");
    }

    private static List<ProcessHandle> leftovers(Path copy) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(copy.toString())).orElse(false))
                .toList();
    }

    /**
     * The Dev UI's pages, as its build-time data lists them: the menu's, footer's and settings' (extensions,
     * configuration, continuous testing, ...) and every extension's ({@code namespace/page}). A page is a web component
     * that the browser loads at {@code /q/dev-ui/<id>}.
     */
    private static List<String> devUiPages(URI base) throws Exception {
        Pattern menu = Pattern.compile("^export const (menuItems|footerTabs|settingTabs|unlistedPages) ");
        Pattern anyId = Pattern.compile("\"id\":\"([^\"]+)\"");
        Pattern extensionPage = Pattern.compile("\"id\":\"([a-z0-9-]+/[^\"]+)\"");
        Set<String> pages = new TreeSet<>();
        for (String line : get(base.resolve("/q/dev-ui/devui-data.js")).split("\n")) {
            Matcher id = (menu.matcher(line).find() ? anyId : extensionPage).matcher(line);
            while (id.find()) {
                pages.add(id.group(1));
            }
        }
        if (pages.size() < 10) {
            throw new IllegalStateException("the Dev UI lists only these pages: " + pages);
        }
        return List.copyOf(pages);
    }

    /**
     * Opens each page in headless Chromium, which runs its components and their calls to the service (JSON-RPC), as a
     * person browsing the Dev UI would; what they make dev mode log is checked at the end. Skipped without Chromium.
     */
    private static void openInBrowser(URI base, List<String> pages) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(chromium)) {
            say("No Chromium at %s: the %d Dev UI pages are not opened", chromium, pages.size());
            return;
        }
        Path profile = Files.createTempDirectory("slackir-devui-");
        try {
            for (String page : pages) {
                Process browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                        "--user-data-dir=" + profile, "--virtual-time-budget=8000", "--dump-dom",
                        base.resolve("/q/dev-ui/" + page).toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!browser.waitFor(60, TimeUnit.SECONDS)) {
                    browser.destroyForcibly();
                    throw new IllegalStateException("Chromium did not finish opening " + page + " within 60 s");
                }
            }
        } finally {
            deleteTree(profile);
        }
        say("Opened the %d Dev UI pages in Chromium: %s", pages.size(), String.join(", ", pages));
    }

    /** The ERROR lines of dev mode's output, and every line of a stack trace, whatever its level. */
    private static List<String> errorLines(Path log) throws IOException {
        Pattern error = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\S+ (ERROR|FATAL) ");
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .map(line -> line.replaceAll("\u001B\\[[;\\d]*m", ""))
                .filter(line -> error.matcher(line).find() || line.startsWith("\tat ") || line.startsWith("Caused by: "))
                .toList();
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** Every result continuous testing has printed so far, in order. */
    private static List<String> results(Path log) throws IOException {
        Matcher m = RESULT.matcher(Files.readString(log, StandardCharsets.UTF_8).replaceAll("\u001B\\[[;\\d]*m", ""));
        List<String> results = new ArrayList<>();
        while (m.find()) {
            results.add(m.group());
        }
        return results;
    }

    interface Check<T> {
        T get() throws Exception;
    }

    /** Polls until the check gives true or a value; fails with the log's tail when the time is up or dev mode ended. */
    private static <T> T until(String what, Duration limit, Check<T> check, Process devMode, Path log)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            T value;
            try {
                value = check.get();
            } catch (Exception e) {
                value = null;
            }
            if (value != null && !Boolean.FALSE.equals(value)) {
                return value;
            }
            if (devMode != null && !devMode.isAlive()) {
                throw new IllegalStateException("dev mode ended before " + what + "\n" + tail(log));
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("timed out after " + limit + " waiting until " + what + "\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static int status(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static boolean open(int port) {
        try (Socket socket = new Socket("localhost", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void copyTrackedFiles(Path project, Path copy) throws Exception {
        Process git = new ProcessBuilder("git", "ls-files", "-z").directory(project.toFile()).start();
        String files = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor() != 0) {
            throw new IllegalStateException("git ls-files failed in " + project);
        }
        for (String file : files.split("\0")) {
            if (file.isEmpty()) {
                continue;
            }
            Path target = copy.resolve(file);
            Files.createDirectories(target.getParent());
            Files.copy(project.resolve(file), target);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void say(String format, Object... args) {
        System.out.println("[dev-mode check] " + String.format(format, args));
    }

    /** A chat connection with the JDK's WebSocket client: every text frame it receives, in order. */
    static final class Chat implements AutoCloseable {
        private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();
        private WebSocket socket;

        static Chat join(URI base, String room) throws Exception {
            return join(base, room, null);
        }

        /** Joins with a bearer token (jwt mode), or none. */
        static Chat join(URI base, String room, String token) throws Exception {
            Chat chat = new Chat();
            URI uri = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/chat/" + room);
            WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            if (token != null) {
                builder.header("Authorization", "Bearer " + token);
            }
            chat.socket = builder
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                chat.frames.add(text.toString());
                                text.setLength(0);
                            }
                            ws.request(1);
                            return null;
                        }
                    }).get(30, TimeUnit.SECONDS);
            chat.await(f -> f.contains("\"type\":\"history\""));
            return chat;
        }

        void send(String frame) throws Exception {
            socket.sendText(frame, true).get(10, TimeUnit.SECONDS);
        }

        String await(Predicate<String> matching) throws Exception {
            for (String f : seen) {
                if (matching.test(f)) {
                    return f;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                String f = frames.poll(500, TimeUnit.MILLISECONDS);
                if (f != null) {
                    seen.add(f);
                    if (matching.test(f)) {
                        return f;
                    }
                }
            }
            throw new IllegalStateException("no matching frame within 30 s; got " + seen);
        }

        @Override
        public void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
    }
}
