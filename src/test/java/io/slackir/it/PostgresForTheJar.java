package io.slackir.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.slackir.ExpectedLog;
import io.slackir.chat.Settings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL for the packaged application under test ({@code *IT}): the jar, or the native binary, runs as in
 * production and is pointed at this database by the datasource settings returned here. It also gets the suite's
 * rate limit, as the in-process tests do, unless told with {@link #LIFT_RATE} to leave it to the test's profile.
 * It logs to {@code target/quarkus.log} alone, not to the build's console: what a test makes it log on purpose is
 * asserted there ({@link ExpectedLog}), and any other WARN or ERROR is printed here when it stops.
 */
public class PostgresForTheJar implements QuarkusTestResourceLifecycleManager {

    /**
     * The system property of the test JVM that holds this database's JDBC URL while it runs, for
     * {@link ServiceDatabase}. The settings returned by {@link #start()} reach the test only as a config of the thread
     * that started the application (Quarkus 3.36): a property is seen from any thread, and is not passed on to the
     * application (only {@code quarkus.*} ones are).
     */
    public static final String JDBC_URL = "slackir-test.jdbc-url";
    static final String USER = "postgres";
    static final String PASSWORD = "postgres";

    /**
     * An init arg, {@code "false"} for a test whose profile sets the realistic limits (AbuseTest): the settings a test
     * resource returns win over the profile's overrides when the jar is launched, so the suite's rate would replace
     * them. Not returned, the profile's reach the jar.
     */
    public static final String LIFT_RATE = "lift-rate";

    /** The in-process tests' lifted rate (application.properties, %test): the suite shouts faster than a person. */
    private static final Map<String, String> SUITE_RATE = Map.of(Settings.RATE, "100000", Settings.BURST, "100000");

    private static final Logger LOG = Logger.getLogger(PostgresForTheJar.class);

    private EmbeddedPostgres postgres;
    private boolean liftRate = true;

    @Override
    public void init(Map<String, String> initArgs) {
        liftRate = Boolean.parseBoolean(initArgs.getOrDefault(LIFT_RATE, "true"));
    }

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String url = postgres.getJdbcUrl(USER, "postgres"); // the user, and the database of that name
        System.setProperty(JDBC_URL, url);
        Map<String, String> settings = new HashMap<>(Map.of(
                "quarkus.datasource.jdbc.url", url,
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", PASSWORD,
                // The test framework keeps the whole log in target/quarkus.log, where the tests read it
                "quarkus.log.console.enabled", "false"));
        if (liftRate) {
            settings.putAll(SUITE_RATE);
        }
        return settings;
    }

    @Override
    public void stop() {
        List<String> unexpected = ExpectedLog.unclaimedFromTheJar();
        if (!unexpected.isEmpty()) {
            LOG.warnf("The packaged application logged what no test expected (%s):%n%s", JarLog.PATH,
                    String.join("\n", unexpected));
        }
        System.clearProperty(JDBC_URL);
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
