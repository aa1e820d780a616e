package io.slackir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the test layers of docs/architecture.md: each {@code @QuarkusTest} is tagged {@code contract} or
 * {@code end-to-end} (dev mode's continuous testing leaves them out), and the pom's {@code unit} profile names exactly
 * the other tests, the plain ones.
 */
class TestLayersTest {

    private static final Path TESTS = Path.of("src/test/java/io/slackir");
    private static final Pattern QUARKUS_TEST = Pattern.compile("(?m)^@QuarkusTest$");

    @Test
    void everyQuarkusTestIsTaggedAndTheUnitProfileNamesEveryOtherTest() throws IOException {
        Set<String> plain = new TreeSet<>();
        Set<String> untagged = new TreeSet<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path file : files.filter(f -> f.toString().endsWith("Test.java")).toList()) {
                String source = Files.readString(file);
                String name = file.getFileName().toString().replace(".java", "");
                if (!QUARKUS_TEST.matcher(source).find()) {
                    plain.add(name);
                } else if (!source.contains("\n@Tag(\"contract\")") && !source.contains("\n@Tag(\"end-to-end\")")) {
                    untagged.add(name);
                }
            }
        }
        assertEquals(Set.of(), untagged, "@QuarkusTests with neither tag: dev mode's first run would start them");
        Matcher unit = Pattern.compile("<id>unit</id>\\s*<properties>\\s*<test>([^<]*)</test>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(unit.find(), "the pom's unit profile names its tests");
        assertEquals(plain, new TreeSet<>(List.of(unit.group(1).split(","))), "the unit profile's tests");
    }
}
