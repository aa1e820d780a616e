package io.slackir.chat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What one connection may send: a budget per kind of frame, each a token bucket ({@code burst} frames at once,
 * {@code rate} per second after), so that one kind (typing) never eats another's (shouts). A frame of no kind of its
 * own (not JSON, an unknown type) is charged to the first budget. A frame over its budget is a strike, whatever its
 * kind: refused, or dropped without an answer when its kind is quiet; strikes fade at the first budget's rate, and too
 * many make the connection flooding.
 * Guarded by its connection, whose frames websockets-next delivers one at a time.
 */
final class Throttle {

    enum Verdict {
        PASS, OVER_BUDGET, DROPPED, FLOODING
    }

    /**
     * How many frames of one {@code type} a connection may send.
     *
     * @param quiet over it, a frame is {@link Verdict#DROPPED}: no refusal, but a strike all the same (an ephemeral
     *        kind, as typing)
     */
    record Budget(String type, double rate, int burst, boolean quiet) {
    }

    private static final class Bucket {
        final Budget budget;
        double tokens;

        Bucket(Budget budget) {
            this.budget = budget;
            this.tokens = budget.burst();
        }
    }

    private final Map<String, Bucket> buckets = new HashMap<>();
    private final Bucket first;
    private final double floodStrikes;
    private double strikes;
    private final LongSupplier nanoTime;
    private long last;

    Throttle(List<Budget> budgets, int floodStrikes) {
        this(budgets, floodStrikes, System::nanoTime);
    }

    /** @param nanoTime the clock buckets refill and strikes fade by: {@link System#nanoTime}, or a test's own */
    Throttle(List<Budget> budgets, int floodStrikes, LongSupplier nanoTime) {
        budgets.forEach(b -> buckets.put(b.type(), new Bucket(b)));
        this.first = buckets.get(budgets.getFirst().type());
        this.floodStrikes = floodStrikes;
        this.nanoTime = nanoTime;
        this.last = nanoTime.getAsLong();
    }

    /** Takes a token of the budget of {@code type} (null or unknown: the first budget). */
    synchronized Verdict take(String type) {
        long now = nanoTime.getAsLong();
        double seconds = (now - last) / 1e9;
        last = now;
        for (Bucket bucket : buckets.values()) {
            bucket.tokens = Math.min(bucket.budget.burst(), bucket.tokens + seconds * bucket.budget.rate());
        }
        strikes = Math.max(0, strikes - seconds * first.budget.rate());
        Bucket bucket = type == null ? first : buckets.getOrDefault(type, first);
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return Verdict.PASS;
        }
        strikes += 1;
        if (strikes > floodStrikes) {
            return Verdict.FLOODING;
        }
        return bucket.budget.quiet() ? Verdict.DROPPED : Verdict.OVER_BUDGET;
    }
}
