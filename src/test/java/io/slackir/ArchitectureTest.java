package io.slackir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the layout of docs/architecture.md: packages whose arrows run one way, {@code api → chat → conversations → io.slackir},
 * and classes that hold one job each. Reads the sources, so it needs no build of its own and names the line at fault.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/io/slackir");

    /** Each package and how far down it sits: a class may use its own package and those below, never one above. */
    private static final Map<String, Integer> LAYERS = Map.of("api", 0, "chat", 1, "conversations", 2, "", 3);

    /** Lines after the imports: past this a class usually holds two jobs. */
    private static final int CLASS_LINES_MAX = 300;

    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.slackir\\.(?:([a-z]\\w*)\\.)?[A-Z]");

    @Test
    void importsRunDownFromApiToChatToConversationsAndNeverBackUp() {
        List<String> upward = new ArrayList<>();
        for (Path source : sources()) {
            String from = packageOf(source);
            assertTrue(LAYERS.containsKey(from),
                    source + " is in package '" + from + "', which has no place in docs/architecture.md yet");
            List<String> lines = lines(source);
            for (int i = 0; i < lines.size(); i++) {
                Matcher reference = REFERENCE.matcher(lines.get(i));
                while (reference.find()) {
                    String to = reference.group(1) == null ? "" : reference.group(1);
                    if (!LAYERS.containsKey(to) || LAYERS.get(to) < LAYERS.get(from)) {
                        upward.add(source + ":" + (i + 1) + " (" + name(from) + " → " + name(to) + "): "
                                + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), upward, "references to a package above");
    }

    @Test
    void noClassHoldsMoreThanAboutThreeHundredLines() {
        List<String> large = new ArrayList<>();
        for (Path source : sources()) {
            List<String> lines = lines(source);
            int body = lines.size() - lastImport(lines) - 1;
            if (body > CLASS_LINES_MAX) {
                large.add(source + ": " + body + " lines");
            }
        }
        assertEquals(List.of(), large, "classes over " + CLASS_LINES_MAX + " lines after their imports");
    }

    private static List<Path> sources() {
        try (Stream<Path> files = Files.walk(MAIN)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertTrue(sources.size() > 10, "the sources are found from " + Path.of("").toAbsolutePath());
            return sources;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String packageOf(Path source) {
        Path relative = MAIN.relativize(source.getParent());
        return relative.toString().replace('/', '.');
    }

    private static String name(String layer) {
        return layer.isEmpty() ? "io.slackir" : layer;
    }

    private static int lastImport(List<String> lines) {
        int last = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("import ") || lines.get(i).startsWith("package ")) {
                last = i;
            }
        }
        return last;
    }

    private static List<String> lines(Path source) {
        try {
            return Files.readAllLines(source);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
