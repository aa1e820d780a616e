package io.slackir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** One event loop per core is Slackir's default, and anything a user sets wins over it. */
class EventLoopsTest {

    @Test
    void oneLoopPerCoreUnderEveryOtherSource() throws IOException {
        EventLoops source = new EventLoops();
        assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()),
                source.getValue("quarkus.vertx.event-loops-pool-size"));
        assertEquals(1, source.getPropertyNames().size());
        // application.properties is 250, the environment 300, system properties 400
        assertTrue(source.getOrdinal() < 250);
        assertEquals(EventLoops.class.getName(), Files.readString(Path.of(
                "src/main/resources/META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource")).trim());
    }
}
