package io.slackir;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Slackir's default for the number of Vert.x event loops: one per core the JVM may use, not Quarkus's two. The event
 * loops do Slackir's real work (every frame to every connection); two loops sharing a core take turns at it, and a
 * room's broadcast then waits on the other loop's. Any other source overrides it ({@code
 * quarkus.vertx.event-loops-pool-size} in the environment, a system property or a config file); read when the
 * application starts, never at build time, so a native binary counts the cores it runs on.
 */
public final class EventLoops implements ConfigSource {

    static final String POOL_SIZE = "quarkus.vertx.event-loops-pool-size";

    private final Map<String, String> values = Map.of(POOL_SIZE,
            String.valueOf(Runtime.getRuntime().availableProcessors()));

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return values.get(propertyName);
    }

    @Override
    public String getName() {
        return "Slackir's event loops: one per core";
    }

    /** Under every file and the environment (application.properties is 250, the environment 300). */
    @Override
    public int getOrdinal() {
        return 50;
    }
}
