package io.slackir.chat;

/**
 * One connection's token bucket: {@code burst} frames at once, {@code rate} per second after. Refused frames are
 * strikes, fading at the same rate; too many and the connection is flooding. Guarded by its connection, whose frames
 * websockets-next delivers one at a time.
 */
final class Throttle {

    enum Verdict {
        PASS, LIMITED, FLOODING
    }

    private final double rate;
    private final double burst;
    private final double floodStrikes;
    private double tokens;
    private double strikes;
    private long last = System.nanoTime();

    Throttle(double rate, int burst, int floodStrikes) {
        this.rate = rate;
        this.burst = burst;
        this.floodStrikes = floodStrikes;
        this.tokens = burst;
    }

    synchronized Verdict take() {
        long now = System.nanoTime();
        double refill = (now - last) / 1e9 * rate;
        last = now;
        tokens = Math.min(burst, tokens + refill);
        strikes = Math.max(0, strikes - refill);
        if (tokens >= 1) {
            tokens -= 1;
            return Verdict.PASS;
        }
        strikes += 1;
        return strikes > floodStrikes ? Verdict.FLOODING : Verdict.LIMITED;
    }
}
