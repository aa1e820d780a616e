package io.slackir.chat;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.slackir.it.PostgresForTheJar;

/**
 * {@link AbuseTest} against the packaged application (the jar, or the native binary with -Dnative), with the limits of
 * its profile (found on the superclass): the database's resource is told not to lift the rate over them.
 */
@QuarkusIntegrationTest
@WithTestResource(value = PostgresForTheJar.class,
        initArgs = @ResourceArg(name = PostgresForTheJar.LIFT_RATE, value = "false"))
class AbuseIT extends AbuseTest {
}
