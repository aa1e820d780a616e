package io.slackir.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;

import io.slackir.it.JarLog;
import io.slackir.it.PostgresForTheJar;

/**
 * What the service logs at WARN or above (or with a stack trace) while a test watches, in either mode: in-process
 * ({@code @QuarkusTest}) from the root logger, which every logger of the service, Quarkus and Vert.x hands its records
 * to; against the packaged application ({@code *IT}) from the log the test framework keeps of its output,
 * {@code target/quarkus.log}, where the jar's startup can be read too ({@link #sinceStart()}). For tests of what an
 * attacker or a failure may make the service write.
 */
final class ServerLog extends Handler implements AutoCloseable {

    private final List<String> records = new CopyOnWriteArrayList<>();
    private final boolean inProcess;
    private final long jarLogStart;

    private ServerLog(boolean fromStart) {
        // The packaged application's database is started for the *IT suites only; in-process tests (and dev mode's
        // continuous testing, where the application is not visible to the test's class loader) run beside the service
        this.inProcess = System.getProperty(PostgresForTheJar.JDBC_URL) == null;
        this.jarLogStart = inProcess || fromStart ? 0 : JarLog.size();
    }

    static ServerLog watch() {
        ServerLog log = new ServerLog(false);
        if (log.inProcess) {
            Logger.getLogger("").addHandler(log);
        }
        return log;
    }

    /**
     * The packaged application's log from its start, its startup included: the test framework begins a new log at
     * each launch. For {@code *IT}s only: in-process the service started before any test could watch it.
     */
    static ServerLog sinceStart() {
        ServerLog log = new ServerLog(true);
        if (log.inProcess) {
            throw new IllegalStateException("in-process, the service's startup was not watched: an *IT reads it");
        }
        return log;
    }

    /** The jar's lines since the watch began (in-process, none): what it logged at INFO too. */
    List<String> lines() {
        return inProcess ? List.of() : JarLog.linesFrom(jarLogStart);
    }

    /** The jar's WARN and ERROR lines (and stack traces) of its startup: until it said which features it installed. */
    List<String> startupWarnings() {
        List<String> startup = new ArrayList<>();
        for (String line : lines()) {
            startup.add(line);
            if (line.contains("Installed features:")) {
                return warnings(startup);
            }
        }
        throw new AssertionError("the jar's log has no end of its startup: " + startup);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.WARNING.intValue() || record.getThrown() != null) {
            records.add(record.getLevel() + " [" + record.getLoggerName() + "] " + record.getMessage()
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }
    }

    /** The WARN and ERROR lines since the watch began, and any line of a stack trace. */
    List<String> warnings() {
        if (inProcess) {
            return List.copyOf(records);
        }
        return warnings(JarLog.linesFrom(jarLogStart));
    }

    private static List<String> warnings(List<String> lines) {
        List<String> found = new ArrayList<>();
        String level = null;
        for (String line : lines) {
            Matcher header = JarLog.HEADER.matcher(line);
            if (header.find()) {
                level = header.group(1);
                if (level.equals("WARN") || level.equals("ERROR")) {
                    found.add(line);
                }
            } else if (line.startsWith("\tat ") || line.startsWith("Caused by:")) {
                found.add(line); // a stack trace, whatever the level of its record
            }
        }
        return found;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
