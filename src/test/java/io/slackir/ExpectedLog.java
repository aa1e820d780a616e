package io.slackir;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.jboss.logmanager.ExtLogRecord;

import io.slackir.it.JarLog;

/**
 * What a test makes the service log on purpose (a database that refuses a row, or goes away), kept out of the build's
 * log and asserted by the test, so that a WARN or an ERROR in a green build means something. While open it takes every
 * record of the loggers it is given in this JVM (the service's in a {@code @QuarkusTest}; the test's own database in
 * either mode) away from the console. The packaged application of an {@code *IT} logs to {@code target/quarkus.log}
 * only ({@code PostgresForTheJar}): there the records of those loggers are read, and claimed, so that
 * {@link #unclaimedFromTheJar()} leaves them out of what it reports.
 */
public final class ExpectedLog implements AutoCloseable {

    /** The jar's WARN and ERROR lines that a test expected (in this JVM: the *IT's). */
    private static final Set<String> CLAIMED = ConcurrentHashMap.newKeySet();

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final List<String> categories;
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Boolean> parentHandlers = new ArrayList<>();
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private final long jarLogStart;

    private ExpectedLog(List<String> categories) {
        this.categories = categories;
        this.jarLogStart = JarLog.size();
        for (String category : categories) {
            Logger logger = Logger.getLogger(category);
            loggers.add(logger);
            parentHandlers.add(logger.getUseParentHandlers());
            logger.addHandler(handler);
            logger.setUseParentHandlers(false);
        }
    }

    /** Takes the records of these loggers from now until {@link #close()}. */
    public static ExpectedLog of(String... categories) {
        return new ExpectedLog(List.of(categories));
    }

    /**
     * Waits for a record at {@code level} ({@code INFO}, {@code WARN}, {@code ERROR}) of {@code category} whose
     * message, or the exception logged with it, contains {@code text}, in this JVM or the packaged application's log;
     * returns what it says.
     */
    public String await(String level, String category, String text) {
        List<String> seen = new ArrayList<>();
        try {
            return Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                    .until(() -> find(level, category, text, seen), found -> found != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + level + " of " + category + " with '" + text + "' in " + PATIENCE
                    + "; taken meanwhile: " + seen, e);
        }
    }

    private String find(String level, String category, String text, List<String> seen) {
        seen.clear();
        for (LogRecord record : records) {
            String said = message(record);
            seen.add(level(record) + " [" + record.getLoggerName() + "] " + said);
            if (level(record).equals(level) && record.getLoggerName().equals(category) && said.contains(text)) {
                return said;
            }
        }
        for (List<String> record : JarLog.recordsFrom(jarLogStart)) {
            Matcher header = JarLog.HEADER.matcher(record.getFirst());
            if (header.find() && header.group(1).equals(level) && header.group(2).equals(shortened(category))
                    && String.join("\n", record).contains(text)) {
                return String.join("\n", record);
            }
        }
        return null;
    }

    /** A record's level as the log writes it: java.util.logging's SEVERE and WARNING are ERROR and WARN. */
    private static String level(LogRecord record) {
        int level = record.getLevel().intValue();
        return level >= Level.SEVERE.intValue() ? "ERROR" : level >= Level.WARNING.intValue() ? "WARN"
                : level >= Level.INFO.intValue() ? "INFO" : "DEBUG";
    }

    /** The message of a record, formatted, and the exceptions logged with it. */
    private static String message(LogRecord record) {
        StringBuilder said = new StringBuilder(record instanceof ExtLogRecord ext ? ext.getFormattedMessage()
                : new SimpleFormatter().formatMessage(record));
        for (Throwable cause = record.getThrown(); cause != null; cause = cause.getCause()) {
            said.append(" / ").append(cause);
            if (cause.getCause() == cause) {
                break;
            }
        }
        return said.toString();
    }

    /** Gives the loggers their console back, and claims the jar's WARN and ERROR records of these loggers. */
    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).removeHandler(handler);
            loggers.get(i).setUseParentHandlers(parentHandlers.get(i));
        }
        List<String> shortened = categories.stream().map(ExpectedLog::shortened).toList();
        for (List<String> record : JarLog.recordsFrom(jarLogStart)) {
            Matcher header = JarLog.HEADER.matcher(record.getFirst());
            if (header.find() && !header.group(1).equals("INFO") && shortened.contains(header.group(2))) {
                CLAIMED.addAll(record);
            }
        }
    }

    /**
     * The packaged application's WARN and ERROR records (with their stack traces) that no test expected: what it
     * would have shown on the console, for {@code PostgresForTheJar} to report when the application stops.
     */
    public static List<String> unclaimedFromTheJar() {
        List<String> unclaimed = new ArrayList<>();
        for (List<String> record : JarLog.recordsFrom(0)) {
            Matcher header = JarLog.HEADER.matcher(record.getFirst());
            if (header.find() && Set.of("WARN", "ERROR", "FATAL").contains(header.group(1))
                    && !CLAIMED.containsAll(record)) {
                unclaimed.addAll(record);
            }
        }
        return unclaimed;
    }

    /** {@code org.hibernate.orm.jdbc.error} as the jar's log writes it: {@code org.hib.orm.jdb.error}. */
    private static String shortened(String category) {
        String[] parts = category.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            parts[i] = parts[i].substring(0, Math.min(3, parts[i].length()));
        }
        return String.join(".", Arrays.asList(parts));
    }
}
