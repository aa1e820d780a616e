package io.slackir.chat;

import static io.slackir.chat.Throttle.Verdict.DROPPED;
import static io.slackir.chat.Throttle.Verdict.FLOODING;
import static io.slackir.chat.Throttle.Verdict.OVER_BUDGET;
import static io.slackir.chat.Throttle.Verdict.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A connection's budgets ({@link Throttle}) on a clock the test moves: refills, strikes and floods without waiting. */
class ThrottleTest {

    /** Shouts: 10 a second, 3 at once. */
    private static final Throttle.Budget SHOUTS = new Throttle.Budget("shout", 10, 3, false);
    /** Typing: 1 a second, 2 at once, dropped quietly over it. */
    private static final Throttle.Budget TYPING = new Throttle.Budget("typing", 1, 2, true);

    /** Nanoseconds, as {@link System#nanoTime} would give them; far from zero, as the real one is. */
    private long now = 7_000_000_000_000L;

    private Throttle throttle(int floodStrikes) {
        return new Throttle(List.of(SHOUTS, TYPING), floodStrikes, () -> now);
    }

    private void pass(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static List<Throttle.Verdict> take(Throttle throttle, String type, int frames) {
        List<Throttle.Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            verdicts.add(throttle.take(type));
        }
        return verdicts;
    }

    @Test
    void aBurstPassesAtOnceAndTheNextFrameIsOverBudget() {
        Throttle throttle = throttle(60);

        assertEquals(List.of(PASS, PASS, PASS, OVER_BUDGET), take(throttle, "shout", 4));
    }

    @Test
    void tokensComeBackAtTheRateAndNeverBeyondTheBurst() {
        Throttle throttle = throttle(60);
        take(throttle, "shout", 3);

        pass(100); // one token at 10 a second
        assertEquals(List.of(PASS, OVER_BUDGET), take(throttle, "shout", 2));

        pass(60_000); // a quiet minute refills the bucket, no further
        assertEquals(List.of(PASS, PASS, PASS, OVER_BUDGET), take(throttle, "shout", 4));
    }

    @Test
    void typingOverItsBudgetIsDroppedQuietly() {
        Throttle throttle = throttle(60);

        assertEquals(List.of(PASS, PASS, DROPPED, DROPPED), take(throttle, "typing", 4));
        pass(1_000); // one typing token a second
        assertEquals(List.of(PASS, DROPPED), take(throttle, "typing", 2));
    }

    @Test
    void droppedTypingStillCountsAsAStrike() {
        Throttle throttle = throttle(2);

        // Two pass, two strikes dropped, and the third strike is past the two allowed
        assertEquals(List.of(PASS, PASS, DROPPED, DROPPED, FLOODING), take(throttle, "typing", 5));
    }

    @Test
    void aTypingFloodFloodsLikeAnyOther() {
        Throttle throttle = throttle(60);

        List<Throttle.Verdict> verdicts = take(throttle, "typing", 5_000);

        assertEquals(2 + 60, verdicts.indexOf(FLOODING), "the burst, then the strikes allowed");
        assertEquals(List.of(FLOODING), verdicts.subList(62, 5_000).stream().distinct().toList());
    }

    @Test
    void shoutsPastTheFloodStrikesAreFlooding() {
        Throttle throttle = throttle(3);

        assertEquals(List.of(PASS, PASS, PASS, OVER_BUDGET, OVER_BUDGET, OVER_BUDGET, FLOODING),
                take(throttle, "shout", 7));
    }

    @Test
    void strikesFadeAtTheFirstBudgetsRate() {
        Throttle throttle = throttle(3);
        take(throttle, "typing", 2);
        assertEquals(List.of(DROPPED, DROPPED, DROPPED), take(throttle, "typing", 3));

        // At 10 a second (the shouts' rate) two of the three strikes fade in 200 ms; at typing's 1 a second, hardly any
        pass(200);

        assertEquals(List.of(DROPPED, DROPPED, FLOODING), take(throttle, "typing", 3));
    }

    @Test
    void strikesFadeAwayEntirelyAfterAQuietSpell() {
        Throttle throttle = throttle(3);
        take(throttle, "shout", 3);
        take(throttle, "shout", 3);

        pass(10_000);

        // Three fresh strikes allowed again, not the one the old ones left
        assertEquals(List.of(PASS, PASS, PASS, OVER_BUDGET, OVER_BUDGET, OVER_BUDGET, FLOODING),
                take(throttle, "shout", 7));
    }

    @Test
    void framesOfNoKindAreChargedToTheFirstBudget() {
        Throttle throttle = throttle(60);

        assertEquals(PASS, throttle.take(null));
        assertEquals(PASS, throttle.take("no-such-type"));
        assertEquals(List.of(PASS, OVER_BUDGET), take(throttle, "shout", 2));
        assertEquals(OVER_BUDGET, throttle.take(null), "refused like a shout, not dropped");
        assertEquals(List.of(PASS, PASS), take(throttle, "typing", 2), "typing's budget untouched");
    }

    @Test
    void oneKindNeverEatsAnothersBudget() {
        Throttle throttle = throttle(60);

        assertEquals(List.of(PASS, PASS, DROPPED), take(throttle, "typing", 3));
        assertEquals(List.of(PASS, PASS, PASS, OVER_BUDGET), take(throttle, "shout", 4));
        assertEquals(DROPPED, throttle.take("typing"), "shouts over budget refill no typing");

        pass(1_000);
        assertEquals(List.of(PASS, DROPPED), take(throttle, "typing", 2), "each refills at its own rate");
        assertEquals(List.of(PASS, PASS, PASS, OVER_BUDGET), take(throttle, "shout", 4));
    }
}
