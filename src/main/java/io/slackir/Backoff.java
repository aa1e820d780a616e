package io.slackir;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pauses between attempts at something that failed: doubling from {@code first} up to {@code max}, each drawn from the
 * upper half of its range, so that parties that failed together (writers of one database, nodes of one Redis) do not
 * all try again at the same moment.
 */
public record Backoff(Duration first, Duration max) {

    /**
     * The pause before attempt {@code attempt + 1}, after {@code attempt} attempts failed (1 for the first failure).
     */
    public Duration after(int attempt) {
        long base = first.toNanos() << Math.min(Math.max(attempt, 1) - 1, 20);
        long capped = Math.max(1, Math.min(base, max.toNanos()));
        return Duration.ofNanos(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
