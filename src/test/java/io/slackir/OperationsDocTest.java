package io.slackir;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Keeps docs/operations.md true to the code, so a default or a unit cannot drift: every setting of
 * {@link SlackirConfig} has one row with the code's default and a unit that fits its type, every metric registered in
 * src/main has one row under its Prometheus name, and the page documents nothing the code does not have. Plain JUnit:
 * reflection on the mapping and a read of the sources, no Quarkus.
 */
class OperationsDocTest {

    private static final Path DOC = Path.of("docs/operations.md");
    private static final Path MAIN = Path.of("src/main/java");

    /** A row of a Markdown table whose first cell is code: its cells, trimmed. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`([^|]*)\\|(.*)\\|\\s*$");

    /** A time unit, as a setting's unit cell may state it. */
    private static final Pattern TIME = Pattern.compile(
            "\\b(duration|time|ms|milliseconds?|s|seconds?|minutes?|hours?)\\b");
    private static final Pattern BYTES = Pattern.compile("\\b(bytes?|KiB|MiB|kB|MB)\\b");

    /** Where a meter is registered, and the suffix Prometheus adds to its name for that kind. */
    private static final Pattern METER = Pattern.compile("\\b(counter|gauge|timer|summary|Counter\\.builder"
            + "|FunctionCounter\\.builder|Gauge\\.builder|Timer\\.builder|LongTaskTimer\\.builder"
            + "|DistributionSummary\\.builder)\\(\\s*\"(slackir\\.[a-z0-9_.]+)\"");
    private static final Map<String, String> SUFFIX = Map.of("counter", "_total", "Counter.builder", "_total",
            "FunctionCounter.builder", "_total", "timer", "_seconds", "Timer.builder", "_seconds",
            "LongTaskTimer.builder", "_seconds");
    /** What Prometheus adds to a summary's or timer's name for its series. */
    private static final Pattern SERIES = Pattern.compile("_(count|sum|max|bucket)$");

    record Setting(String name, String defaultValue, Class<?> type) {
    }

    @Test
    void everySettingHasOneRowWithTheCodesDefaultAndAUnitThatFitsItsType() {
        List<Setting> settings = settings();
        assertTrue(settings.size() > 20, "SlackirConfig should have its 27 settings, found: " + settings);
        Map<String, List<List<String>>> rows = rows("slackir.");
        List<String> problems = new ArrayList<>();
        for (Setting setting : settings) {
            List<List<String>> found = rows.getOrDefault(setting.name(), List.of());
            String wanted = "| `" + setting.name() + "` | " + (setting.defaultValue() == null ? "none"
                    : "`" + setting.defaultValue() + "`") + " | " + unitFor(setting.type()) + " | what |";
            if (found.isEmpty()) {
                problems.add(setting.name() + ": no row; add " + wanted);
                continue;
            }
            if (found.size() > 1) {
                problems.add(setting.name() + ": " + found.size() + " rows; document each setting once");
            }
            List<String> cells = found.getFirst();
            if (cells.size() != 3) {
                problems.add(setting.name() + ": the row should have 4 cells, as " + wanted);
                continue;
            }
            String defaultCell = cells.get(0);
            if (setting.defaultValue() != null && !defaultCell.equals("`" + setting.defaultValue() + "`")) {
                problems.add(setting.name() + ": default is `" + setting.defaultValue() + "` in SlackirConfig, "
                        + defaultCell + " in the doc");
            } else if (setting.defaultValue() == null && defaultCell.startsWith("`")) {
                problems.add(setting.name() + ": has no @WithDefault, yet the doc gives " + defaultCell
                        + " (say none, or what the code does when unset)");
            }
            String unit = cells.get(1);
            String quantity = unit.replaceAll("per \\w+", ""); // frames per second is a rate, not a time
            boolean time = TIME.matcher(quantity).find();
            boolean bytes = BYTES.matcher(quantity).find();
            if (setting.type() == Duration.class && !time) {
                problems.add(setting.name() + ": a Duration, but its unit says '" + unit + "' (say duration)");
            } else if (setting.type() == MemorySize.class && !bytes) {
                problems.add(setting.name() + ": a MemorySize, but its unit says '" + unit + "' (say bytes)");
            } else if (setting.type() != Duration.class && time) {
                problems.add(setting.name() + ": its unit says a time ('" + unit + "'), but its type is "
                        + setting.type().getSimpleName());
            } else if (setting.type() != MemorySize.class && bytes) {
                problems.add(setting.name() + ": its unit says bytes ('" + unit + "'), but its type is "
                        + setting.type().getSimpleName());
            }
        }
        List<String> known = settings.stream().map(Setting::name).toList();
        rows.keySet().stream().filter(name -> !known.contains(name))
                .forEach(name -> problems.add(name + ": documented, but SlackirConfig has no such setting"));
        assertTrue(problems.isEmpty(), DOC + " disagrees with SlackirConfig:\n  " + String.join("\n  ", problems));
    }

    @Test
    void everyMetricHasOneRowUnderItsPrometheusName() {
        Map<String, String> metrics = metrics();
        assertTrue(metrics.size() > 15, "src/main should register its 23 slackir.* metrics, found: " + metrics);
        Map<String, List<List<String>>> rows = rows("slackir_");
        List<String> problems = new ArrayList<>();
        metrics.forEach((prometheus, where) -> {
            int count = rows.getOrDefault(prometheus, List.of()).size();
            if (count == 0) {
                problems.add(prometheus + " (" + where + "): no row; add | `" + prometheus + "` | what |");
            } else if (count > 1) {
                problems.add(prometheus + ": " + count + " rows; document each metric once");
            }
        });
        Matcher mentioned = Pattern.compile("(?<![A-Za-z0-9_])slackir_[a-z0-9_]+").matcher(read(DOC));
        while (mentioned.find()) {
            String name = mentioned.group();
            if (!metrics.containsKey(name) && !metrics.containsKey(SERIES.matcher(name).replaceFirst(""))) {
                problems.add(name + ": in the doc, but src/main registers no such metric");
            }
        }
        assertTrue(problems.isEmpty(), DOC + " disagrees with the metrics of src/main:\n  "
                + String.join("\n  ", problems.stream().distinct().toList()));
    }

    /** Every leaf of the mapping, its property name as SmallRye derives it (kebab-case of the method path). */
    static List<Setting> settings() {
        List<Setting> settings = new ArrayList<>();
        collect(SlackirConfig.class, SlackirConfig.class.getAnnotation(ConfigMapping.class).prefix(), settings);
        return settings;
    }

    private static void collect(Class<?> group, String path, List<Setting> settings) {
        Method[] methods = group.getDeclaredMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method method : methods) {
            if (method.isSynthetic() || method.isDefault() || Modifier.isStatic(method.getModifiers())
                    || method.getParameterCount() > 0) {
                continue;
            }
            WithName named = method.getAnnotation(WithName.class);
            String name = path + "." + (named != null ? named.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getName().startsWith("io.slackir.")) {
                collect(type, name, settings);
                continue;
            }
            if (type == Optional.class && method.getGenericReturnType() instanceof ParameterizedType optional) {
                Type inner = optional.getActualTypeArguments()[0];
                type = inner instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) inner;
            }
            WithDefault value = method.getAnnotation(WithDefault.class);
            settings.add(new Setting(name, value == null ? null : value.value(), type));
        }
    }

    static String kebab(String method) {
        return method.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static String unitFor(Class<?> type) {
        return type == Duration.class ? "duration" : type == MemorySize.class ? "bytes" : "unit";
    }

    /** Prometheus name → where it is registered, for every {@code "slackir.*"} meter in src/main. */
    static Map<String, String> metrics() {
        Map<String, String> metrics = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(file -> {
                Matcher meter = METER.matcher(read(file));
                while (meter.find()) {
                    String prometheus = meter.group(2).replace('.', '_') + SUFFIX.getOrDefault(meter.group(1), "");
                    metrics.putIfAbsent(prometheus, MAIN.relativize(file) + ", " + meter.group(1));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return metrics;
    }

    /** The doc's table rows whose first cell is code starting with {@code prefix}: that code → the other cells. */
    private static Map<String, List<List<String>>> rows(String prefix) {
        Map<String, List<List<String>>> rows = new LinkedHashMap<>();
        for (String line : read(DOC).lines().toList()) {
            Matcher row = ROW.matcher(line);
            if (!row.matches() || !row.group(1).startsWith(prefix)) {
                continue;
            }
            // `slackir_room_connections{room}`: the metric is the name before its labels
            String key = row.group(1).replaceFirst("\\{.*", "");
            List<String> cells = Arrays.stream(row.group(3).split("\\|", -1)).map(String::strip).toList();
            rows.computeIfAbsent(key, k -> new ArrayList<>()).add(cells);
        }
        return rows;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
