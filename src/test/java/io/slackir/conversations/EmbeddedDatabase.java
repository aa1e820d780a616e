package io.slackir.conversations;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Stops and starts the PostgreSQL that the embedded-postgresql extension started for the tests, in place: the same
 * data directory, port and options (read back from {@code postmaster.opts}), as a database server restart would.
 */
public final class EmbeddedDatabase {

    private final Path dataDirectory;
    private final Path binaries;
    private final String options;

    private EmbeddedDatabase(Path dataDirectory, Path binaries, String options) {
        this.dataDirectory = dataDirectory;
        this.binaries = binaries;
        this.options = options;
    }

    /** The server behind the application's datasource. */
    static EmbeddedDatabase of(DataSource dataSource) throws SQLException, IOException {
        Path dataDirectory;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show data_directory")) {
            rs.next();
            dataDirectory = Path.of(rs.getString(1));
        }
        // postmaster.opts: /path/bin/postgres "-D" "/data" "-p" "62538" "-F" "-c" "key=value" ...
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)")
                .matcher(Files.readString(dataDirectory.resolve("postmaster.opts")));
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        Path binaries = Path.of(words.getFirst()).getParent();
        List<String> options = new ArrayList<>();
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).equals("-D")) {
                i++;
            } else {
                options.add(words.get(i));
            }
        }
        return new EmbeddedDatabase(dataDirectory, binaries, String.join(" ", options));
    }

    /** The ids of a room's stored shouts, read straight from the table, in id (acceptance) order. */
    public static List<String> storedIds(DataSource dataSource, String room) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("select id from messages where room = ? order by id")) {
            s.setString(1, room);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** A fast shutdown: sessions are cut, the server exits, connections are refused. */
    void stop() throws IOException, InterruptedException {
        pgCtl("stop", "-m", "fast");
    }

    void start() throws IOException, InterruptedException {
        pgCtl("start", "-o", options);
        var config = ConfigProvider.getConfig();
        String url = config.getValue("quarkus.datasource.jdbc.url", String.class);
        String user = config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres");
        String password = config.getOptionalValue("quarkus.datasource.password", String.class).orElse("postgres");
        Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                return c.isValid(1);
            }
        });
    }

    /** As the extension runs it: through {@code unshare -U} when root, since PostgreSQL refuses to run as root. */
    private void pgCtl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.add(binaries.resolve("pg_ctl").toString());
        command.addAll(List.of("-D", dataDirectory.toString(), "-w", "-l",
                new File("target/embedded-postgresql-restart.log").getAbsolutePath()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("pg_ctl " + arguments[0] + " failed: " + output);
        }
    }
}
