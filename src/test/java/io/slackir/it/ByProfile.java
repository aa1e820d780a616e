package io.slackir.it;

import java.util.Comparator;

import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The order of the {@code *IT} classes: those that run the jar with its default profile together and first, then each
 * test profile's together, then the tests that start the application themselves. Quarkus's own orderer sees no
 * profile on an {@code *IT} that inherits it from its {@code *Test}, so failsafe ran them by name, and the jar was
 * started again at every change of profile; each start with the default profile records the JDK's AOT cache anew
 * (about half a minute at every stop).
 */
public class ByProfile implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparing(ByProfile::group)
                .thenComparing(descriptor -> descriptor.getTestClass().getName()));
    }

    /** "0" for the default profile, "1" and the profile's name for another, "2" for a test that is no Quarkus test. */
    private static String group(ClassDescriptor descriptor) {
        Class<?> test = descriptor.getTestClass();
        if (!descriptor.isAnnotated(QuarkusIntegrationTest.class)) {
            return "2";
        }
        for (Class<?> c = test; c != null; c = c.getSuperclass()) {
            TestProfile profile = c.getAnnotation(TestProfile.class);
            if (profile != null) {
                return "1" + profile.value().getName();
            }
        }
        return "0";
    }
}
