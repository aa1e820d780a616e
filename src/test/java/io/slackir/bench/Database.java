package io.slackir.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL Slackir stores into during a run: one the benchmark starts (embedded, pinned to the server's core,
 * commits synchronous as in production unless told otherwise), or an external one given by its JDBC URL.
 */
final class Database implements AutoCloseable {

    final String url;
    final String user;
    final String password;
    final String description;
    private final EmbeddedPostgres embedded;
    /** The embedded server's postmaster, once known; 0 for an external database. */
    private long postmaster;

    private Database(String url, String user, String password, String description, EmbeddedPostgres embedded) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.description = description;
        this.embedded = embedded;
    }

    static Database external(String url, String user, String password) {
        return new Database(url, user, password, "external " + url, null);
    }

    static Database embedded(String cpu, boolean synchronousCommit) throws IOException, InterruptedException {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", synchronousCommit ? "on" : "off")
                .setServerConfig("max_connections", "300")
                .start();
        Database database = new Database(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres",
                "embedded PostgreSQL " + version(postgres) + ", synchronous_commit=" + (synchronousCommit ? "on" : "off")
                        + (cpu == null ? "" : ", pinned to cpu " + cpu),
                postgres);
        database.postmaster = database.postmaster();
        if (cpu != null) {
            database.pin(cpu);
        }
        return database;
    }

    private static String version(EmbeddedPostgres postgres) {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "?";
        }
    }

    private long postmaster() throws IOException {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show data_directory")) {
            rs.next();
            return Long.parseLong(Files.readAllLines(Path.of(rs.getString(1), "postmaster.pid")).getFirst().trim());
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    /**
     * CPU time the embedded server has used, in seconds: the postmaster, the children it reaped (their time is added to
     * its own when they end) and the live ones. NaN for an external database.
     */
    double cpuSeconds() {
        if (postmaster == 0) {
            return Double.NaN;
        }
        return Target.cpuSeconds(postmaster, true)
                + children().mapToDouble(child -> Target.cpuSeconds(child.pid(), false)).sum();
    }

    /** The postmaster's children now: its backends and workers. */
    private Stream<ProcessHandle> children() {
        return ProcessHandle.of(postmaster).stream().flatMap(ProcessHandle::children);
    }

    /** The postmaster and its children now, all threads; backends forked later inherit the postmaster's mask. */
    private void pin(String cpu) throws IOException, InterruptedException {
        List<Long> pids = new ArrayList<>();
        pids.add(postmaster);
        children().forEach(child -> pids.add(child.pid()));
        for (long pid : pids) {
            Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", cpu, String.valueOf(pid))
                    .redirectErrorStream(true).start();
            taskset.getInputStream().readAllBytes();
            taskset.waitFor(10, TimeUnit.SECONDS);
        }
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Rows whose room starts with {@code prefix}. */
    long stored(String prefix) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement("select count(*) from messages where room like ?")) {
            s.setString(1, prefix + "%");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
