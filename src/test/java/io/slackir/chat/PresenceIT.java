package io.slackir.chat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.slackir.it.PostgresForTheJar;

/** {@link PresenceTest} against the packaged application (the jar, or the native binary with -Dnative). */
@QuarkusIntegrationTest
@WithTestResource(PostgresForTheJar.class)
class PresenceIT extends PresenceTest {
}
