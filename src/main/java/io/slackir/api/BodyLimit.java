package io.slackir.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;

/**
 * Answers a request whose declared body is over {@code quarkus.http.limits.max-body-size} with a JSON 413, before
 * anything reads it. Quarkus enforces the same limit (also on chunked bodies, which declare no length), but with an
 * empty 413.
 */
@ApplicationScoped
public class BodyLimit {

    void install(@Observes Filters filters,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        long max = limit.asLongValue();
        String tooLarge = "{\"code\":\"too_large\",\"message\":\"the body is larger than any valid request (at most "
                + max + " bytes)\"}";
        filters.register(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredOver(length, max)) {
                rc.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        // The body is not read: the connection cannot carry another request
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(tooLarge);
                return;
            }
            rc.next();
        }, 1000);
    }

    private static boolean declaredOver(String length, long max) {
        try {
            return Long.parseLong(length.trim()) > max;
        } catch (NumberFormatException e) {
            // Vert.x refuses a malformed Content-Length itself
            return false;
        }
    }
}
