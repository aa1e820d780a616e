package io.slackir.conversations;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.slackir.SlackirConfig;

/**
 * Readiness of persistence: DOWN while more shouts wait to be stored than {@code slackir.persistence.backlog-ready},
 * while writes fail and are retried, or while the service stops. Liveness is not affected: the chat itself works.
 */
@Readiness
@ApplicationScoped
public class BacklogHealth implements HealthCheck {

    private final Backlog backlog;
    private final int threshold;

    BacklogHealth(Backlog backlog, SlackirConfig config) {
        this.backlog = backlog;
        this.threshold = config.persistence().backlogReady();
    }

    @Override
    public HealthCheckResponse call() {
        int size = backlog.size();
        return HealthCheckResponse.named("Shouts waiting to be stored")
                .status(size <= threshold && !backlog.failing() && backlog.accepting())
                .withData("backlog", size)
                .withData("threshold", threshold)
                .withData("writesFailing", backlog.failing())
                .withData("accepting", backlog.accepting())
                .build();
    }
}
