package io.slackir.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The packaged application's log, {@code target/quarkus.log}, which the test framework begins anew at each launch of
 * an {@code *IT}'s jar: what the service's own log watchers read there, from an offset taken when they began.
 */
public final class JarLog {

    public static final Path PATH = Path.of("target/quarkus.log");

    /**
     * A record's first line: {@code 2026-12-04 14:52:37,167 host /path/java[pid] WARN  [io.sla.cha.Megaphone] (thread)
     * message}; group 1 is the level, group 2 the category, each of its packages cut to three letters.
     */
    public static final Pattern HEADER = Pattern.compile(
            "^\\d{4}-\\d\\d-\\d\\d \\S+ (?:.*? )?(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\\s+\\[([^\\]]+)\\] ");

    private JarLog() {
    }

    /** How long the log is now (0 while there is none): where a watch that begins now reads from. */
    public static long size() {
        try {
            return Files.exists(PATH) ? Files.size(PATH) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its lines from an offset ({@link #size()} when a watch began); a log that is not there is an error. */
    public static List<String> linesFrom(long offset) {
        try {
            byte[] all = Files.readAllBytes(PATH);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Its records from an offset: each a header line and the lines that continue it (a stack trace); none while there
     * is no log (no jar has run in this build yet).
     */
    public static List<List<String>> recordsFrom(long offset) {
        List<List<String>> records = new ArrayList<>();
        if (!Files.exists(PATH)) {
            return records;
        }
        for (String line : linesFrom(offset)) {
            if (HEADER.matcher(line).find() || records.isEmpty()) {
                records.add(new ArrayList<>(List.of(line)));
            } else {
                records.getLast().add(line);
            }
        }
        return records;
    }
}
