package io.slackir.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Plain JDBC to the database of the service under test, for tests that reach into it on purpose (to hold writes back,
 * or to make one fail), in either mode: in-process ({@code @QuarkusTest}) the datasource the application was given,
 * against the packaged application ({@code *IT}) the PostgreSQL that {@link PostgresForTheJar} started for it.
 */
public final class ServiceDatabase {

    private ServiceDatabase() {
    }

    /** A new connection, as the service's own user; the caller closes it. Call it from the test's thread. */
    public static Connection connect() throws SQLException {
        String jarDatabase = System.getProperty(PostgresForTheJar.JDBC_URL);
        if (jarDatabase != null) {
            return DriverManager.getConnection(jarDatabase, PostgresForTheJar.USER, PostgresForTheJar.PASSWORD);
        }
        // In-process the test runs inside the application: its config holds the URL the embedded PostgreSQL was given
        Config config = ConfigProvider.getConfig();
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getOptionalValue("quarkus.datasource.username", String.class).orElse("postgres"),
                config.getOptionalValue("quarkus.datasource.password", String.class).orElse("postgres"));
    }

    /** Runs one statement in a connection of its own, committed at once. */
    public static void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
