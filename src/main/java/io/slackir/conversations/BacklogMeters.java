package io.slackir.conversations;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** What the {@link Backlog} shows an operator: how many shouts wait, how long storing takes, how it retries. */
record BacklogMeters(Counter retried, Timer latency, DistributionSummary batches) {

    BacklogMeters(MeterRegistry registry, Duration retryDeadline, AtomicInteger waiting) {
        this(registry.counter("slackir.shouts.store.retries"),
                Timer.builder("slackir.shouts.store.latency")
                        .description("From a shout's acceptance to its commit")
                        .publishPercentileHistogram()
                        .publishPercentiles(0.5, 0.99)
                        .minimumExpectedValue(Duration.ofMillis(1))
                        .maximumExpectedValue(retryDeadline)
                        .register(registry),
                DistributionSummary.builder("slackir.shouts.store.batch")
                        .description("Shouts written in one transaction, at each attempt")
                        .publishPercentiles(0.5, 0.99)
                        .register(registry));
        Gauge.builder("slackir.shouts.backlog", waiting, AtomicInteger::get)
                .description("Shouts accepted and not stored yet")
                .strongReference(true)
                .register(registry);
    }
}
