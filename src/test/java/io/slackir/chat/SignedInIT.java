package io.slackir.chat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.slackir.it.PostgresForTheJar;

/**
 * {@link SignedInTest} against the packaged application (the jar, or the native binary with -Dnative), in jwt mode by
 * the profile found on the superclass ({@link Tokens.JwtMode}): the dev key pair's public key reaches the jar as the
 * profile's setting, an absolute {@code file:} URI, since nothing of it is packaged.
 */
@QuarkusIntegrationTest
@WithTestResource(PostgresForTheJar.class)
class SignedInIT extends SignedInTest {
}
