package io.slackir.chat.nodes;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * How this node reaches the others: alone, or through Redis, and since when Redis is unreachable. Stays UP while
 * Redis is down: the node still serves its own connections, and with every node sharing one Redis a DOWN here would
 * take the whole chat out of the load balancer instead of part of it. The details say what is missed.
 */
@Readiness
@ApplicationScoped
public class ClusterHealth implements HealthCheck {

    private final Cluster cluster;

    ClusterHealth(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("Fan-out to other nodes").up();
        if (!cluster.enabled()) {
            return response.withData("mode", "single node").build();
        }
        Instant down = cluster.downSince();
        response.withData("mode", "redis")
                .withData("node", cluster.node())
                .withData("redis", cluster.redactedUrl())
                .withData("connected", cluster.connected())
                .withData("unpublished", cluster.unpublished())
                .withData("dropped", cluster.dropped());
        if (down != null) {
            response.withData("downSince", down.toString());
        }
        return response.build();
    }
}
