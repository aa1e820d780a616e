package io.slackir.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.slackir.it.PostgresForTheJar;

/**
 * {@link OpenModeTest} against the packaged application (the jar, or the native binary with -Dnative), and its
 * startup: with the JWT verifier in it but no key configured, open mode starts without a warning.
 */
@QuarkusIntegrationTest
@WithTestResource(PostgresForTheJar.class)
class OpenModeIT extends OpenModeTest {

    @Test
    void theStartupWarnsOfNothing() {
        ServerLog log = ServerLog.sinceStart();
        assertTrue(log.lines().stream().anyMatch(line -> line.contains("Installed features:")
                && line.contains("smallrye-jwt")), "the verifier is in the application: " + log.lines());
        assertEquals(List.of(), log.startupWarnings(), "nothing at all, so nothing of JWT");
    }
}
