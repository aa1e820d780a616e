package io.slackir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the layout of docs/architecture.md: packages whose arrows run one way, {@code api → chat → conversations → io.slackir},
 * with {@code chat}'s sub-packages below it; no two classes that use each other, however indirectly; packages of about
 * fifteen classes at most; classes that hold one job each, every one named in docs/architecture.md. Reads the sources,
 * so it needs no build of its own and names the line at fault.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src/main/java/io/slackir");
    private static final Path DOC = Path.of("docs/architecture.md");

    /**
     * Each package and how far down it sits: a class may use its own package and those strictly below, never one above
     * or beside it (a package of the same layer).
     */
    private static final Map<String, Integer> LAYERS = Map.ofEntries(Map.entry("api", 0), Map.entry("chat", 1),
            Map.entry("chat.access", 2), Map.entry("chat.nodes", 2), Map.entry("chat.wire", 2),
            Map.entry("chat.presence", 3), Map.entry("chat.protocol", 4), Map.entry("conversations", 5),
            Map.entry("", 6));

    /** Classes in one package: past this it holds several concerns. */
    private static final int PACKAGE_CLASSES_MAX = 15;

    /** Lines after the imports: past this a class usually holds two jobs. */
    private static final int CLASS_LINES_MAX = 300;

    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.slackir\\.((?:[a-z]\\w*\\.)*)[A-Z]");
    /** A class's simple name where the code (not a comment, not a string) names it, not as a member of another. */
    private static final Pattern SIMPLE_NAME = Pattern.compile("(?<![.\\w])[A-Z]\\w*");
    private static final Pattern IMPORT = Pattern.compile("^import (io\\.slackir(?:\\.[a-z]\\w*)*)\\.([A-Z]\\w*);",
            Pattern.MULTILINE);

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
                    String to = reference.group(1).isEmpty() ? ""
                            : reference.group(1).substring(0, reference.group(1).length() - 1);
                    if (!LAYERS.containsKey(to) || LAYERS.get(to) < LAYERS.get(from)
                            || LAYERS.get(to).equals(LAYERS.get(from)) && !to.equals(from)) {
                        upward.add(source + ":" + (i + 1) + " (" + name(from) + " → " + name(to) + "): "
                                + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), upward, "references to a package above");
    }

    @Test
    void noClassesUseEachOther() {
        Map<String, Set<String>> uses = new TreeMap<>();
        Map<String, List<String>> byPackage = new HashMap<>();
        for (Path source : sources()) {
            byPackage.computeIfAbsent(packageOf(source), p -> new ArrayList<>()).add(className(source));
        }
        for (Path source : sources()) {
            String from = qualified(packageOf(source), className(source));
            String text = String.join("\n", lines(source));
            Map<String, String> visible = new HashMap<>();
            byPackage.get(packageOf(source)).forEach(c -> visible.put(c, qualified(packageOf(source), c)));
            Matcher imported = IMPORT.matcher(text);
            while (imported.find()) {
                String layer = imported.group(1).substring("io.slackir".length()).replaceFirst("^\\.", "");
                visible.put(imported.group(2), qualified(layer, imported.group(2)));
            }
            Set<String> used = new TreeSet<>();
            Matcher name = SIMPLE_NAME.matcher(code(text));
            while (name.find()) {
                String to = visible.get(name.group());
                if (to != null && !to.equals(from)) {
                    used.add(to);
                }
            }
            uses.put(from, used);
        }
        assertEquals(List.of(), cycles(uses), "classes that use each other (each cycle once, by its classes)");
    }

    @Test
    void noPackageHoldsMoreThanAboutFifteenClasses() {
        Map<String, Integer> sizes = new TreeMap<>();
        sources().forEach(source -> sizes.merge(name(packageOf(source)), 1, Integer::sum));
        sizes.values().removeIf(size -> size <= PACKAGE_CLASSES_MAX);
        assertEquals(Map.of(), sizes, "packages of more than " + PACKAGE_CLASSES_MAX + " classes");
    }

    @Test
    void architectureDocNamesEveryClass() throws IOException {
        String doc = Files.readString(DOC);
        List<String> unnamed = sources().stream().map(ArchitectureTest::className)
                .filter(c -> !Pattern.compile("`" + c + "[`.(]").matcher(doc).find()).toList();
        assertEquals(List.of(), unnamed, "classes " + DOC + " does not name (in backquotes)");
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

    /** The strongly connected groups of more than one class (Tarjan's algorithm), each sorted, in order. */
    private static List<List<String>> cycles(Map<String, Set<String>> uses) {
        List<List<String>> cycles = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        for (String start : uses.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, uses, index, low, stack, onStack, cycles);
            }
        }
        cycles.sort(Comparator.comparing(List::toString));
        return cycles;
    }

    private static void connect(String node, Map<String, Set<String>> uses, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<List<String>> cycles) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : uses.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, uses, index, low, stack, onStack, cycles);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            List<String> group = new ArrayList<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                group.add(member);
            } while (!member.equals(node));
            if (group.size() > 1) {
                group.sort(null);
                cycles.add(group);
            }
        }
    }

    /** The code alone: comments and string literals blanked. */
    private static String code(String source) {
        return source.replaceAll("(?s)\"\"\".*?\"\"\"", "\"\"").replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("//[^\n]*", " ").replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"")
                .replaceAll("(?m)^import .*$", "");
    }

    private static String className(Path source) {
        String file = source.getFileName().toString();
        return file.substring(0, file.length() - ".java".length());
    }

    private static String qualified(String layer, String className) {
        return layer.isEmpty() ? className : layer + "." + className;
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
