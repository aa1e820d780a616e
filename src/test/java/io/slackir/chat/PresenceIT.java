package io.slackir.chat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;
import io.slackir.it.PostgresForTheJar;

/**
 * {@link PresenceTest} against the packaged application (the jar, or the native binary with -Dnative), its frames
 * written through websockets-next's own sending: in-process, the suite runs on the direct writer.
 */
@QuarkusIntegrationTest
@TestProfile(WebSocketsNextWriter.class)
@WithTestResource(PostgresForTheJar.class)
class PresenceIT extends PresenceTest {
}
