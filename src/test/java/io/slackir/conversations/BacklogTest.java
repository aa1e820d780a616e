package io.slackir.conversations;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.validation.ConstraintViolationException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.slackir.ExpectedLog;
import io.slackir.SlackirConfig;

/**
 * The way of a shout to PostgreSQL ({@link Backlog}): admission, batching, retries, splitting and draining, with the
 * persister played by the test (each batch it is handed succeeds or fails when the test says) and a clock it moves.
 * Only a retry's pause is real, a millisecond at most.
 */
class BacklogTest {

    /** What the connection pool says when the database went away: worth retrying. */
    private static final Throwable CONNECTION_LOST = new SQLException("An I/O error occurred while sending", "08006");
    /** What the persister says of a shout that is not a valid message: the same every time. */
    private static final Throwable INVALID = new ConstraintViolationException("not a valid message", Set.of());

    private static final Duration RETRY_DEADLINE = Duration.ofSeconds(10);

    private final Writes writes = new Writes();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    /** Nanoseconds, as {@link System#nanoTime} gives them; read by the retry thread too. */
    private final AtomicLong now = new AtomicLong(42_000_000_000L);
    private Backlog backlog;

    /** The settings of {@code slackir.persistence.*} a test chooses. */
    private record Persistence(int threads, int batchSize, int backlogMax, int backlogReady, Duration retryDeadline,
            Duration retryBackoff, Duration retryMaxBackoff, Duration drainTimeout)
            implements SlackirConfig.Persistence {
    }

    /**
     * The persister's side of {@code fireAsync}: every batch handed to it, each with the stage the test completes
     * (stored) or fails.
     */
    private static final class Writes implements Event<Batch> {

        record Write(Batch batch, CompletableFuture<Batch> result) {

            List<String> texts() {
                return batch.messages().stream().map(m -> m.message).toList();
            }

            void stored() {
                result.complete(batch);
            }

            void failed(Throwable failure) {
                result.completeExceptionally(failure);
            }
        }

        final BlockingQueue<Write> fired = new LinkedBlockingQueue<>();

        /** The next batch handed to the persister: at once, or once a retry's pause is over. */
        Write next() {
            return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(1))
                    .until(fired::poll, Objects::nonNull);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <U extends Batch> CompletionStage<U> fireAsync(U batch, NotificationOptions options) {
            CompletableFuture<U> result = new CompletableFuture<>();
            fired.add(new Write(batch, (CompletableFuture<Batch>) (CompletableFuture<?>) result));
            return result;
        }

        @Override
        public <U extends Batch> CompletionStage<U> fireAsync(U batch) {
            throw new UnsupportedOperationException("Backlog hands batches to its own writers");
        }

        @Override
        public void fire(Batch batch) {
            throw new UnsupportedOperationException("Backlog never stores on the caller's thread");
        }

        @Override
        public Event<Batch> select(Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends Batch> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends Batch> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }
    }

    private Backlog backlog(int threads, int batchSize, int backlogMax) {
        Persistence persistence = new Persistence(threads, batchSize, backlogMax, backlogMax, RETRY_DEADLINE,
                Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(1));
        SlackirConfig config = (SlackirConfig) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SlackirConfig.class}, (proxy, method, arguments) -> switch (method.getName()) {
                    case "persistence" -> persistence;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        backlog = new Backlog(writes, config, registry, now::get);
        return backlog;
    }

    /** What the backlog says of the failures these tests provoke: asserted where it matters, off the build's log. */
    private final ExpectedLog expected = ExpectedLog.of(Backlog.class.getName());

    @AfterEach
    void stop() {
        if (backlog != null) {
            backlog.stop();
        }
        expected.close();
    }

    /** Admits and stores a shout, as the megaphone does. */
    private CompletableFuture<Void> store(String text) {
        assertTrue(backlog.admit(), "admitted: " + text);
        Message message = Message.of(UUID.randomUUID(), "lobby", "Ada", text, Instant.parse("2026-12-04T14:00:00Z"));
        return backlog.store(message).toCompletableFuture();
    }

    private void pass(Duration time) {
        now.addAndGet(time.toNanos());
    }

    /** What a shout failed with, as its sender sees it. Never waits: every outcome here is settled synchronously. */
    private static Throwable failure(CompletableFuture<Void> stored) {
        assertTrue(stored.isCompletedExceptionally(), "not stored, and told so");
        return assertThrows(CompletionException.class, stored::join).getCause();
    }

    private static void assertStored(CompletableFuture<Void> stored) {
        assertTrue(stored.isDone() && !stored.isCompletedExceptionally(), "stored");
    }

    @Test
    void shoutsAreAdmittedUpToTheBacklogMaxAndAPlaceGivenBackIsTakenAgain() {
        backlog(1, 10, 3);

        assertTrue(backlog.admit());
        assertTrue(backlog.admit());
        assertTrue(backlog.admit());
        assertFalse(backlog.admit(), "full: the shout is refused");
        assertEquals(3, backlog.size());

        backlog.release();

        assertEquals(2, backlog.size());
        assertTrue(backlog.admit());
        assertFalse(backlog.admit());
    }

    @Test
    void aStoredShoutIsSettledAndGivesItsPlaceBack() {
        backlog(1, 10, 3);

        CompletableFuture<Void> stored = store("hello");

        Writes.Write write = writes.next();
        assertEquals(List.of("hello"), write.texts());
        assertFalse(write.batch().mayBeStored(), "a first write: no row to look for");
        assertFalse(stored.isDone());
        assertEquals(1, backlog.owed().size());
        assertEquals(1, registry.get("slackir.shouts.backlog").gauge().value());

        pass(Duration.ofMillis(3));
        write.stored();

        assertStored(stored);
        assertEquals(0, backlog.size());
        assertEquals(List.of(), List.copyOf(backlog.owed()));
        assertEquals(3, registry.get("slackir.shouts.store.latency").timer().totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void whatWaitsIsTakenByTheNextFreeWriterInOneBatchUpToTheBatchSize() {
        backlog(1, 3, 100);
        CompletableFuture<Void> first = store("1");
        List<CompletableFuture<Void>> rest = List.of(store("2"), store("3"), store("4"), store("5"));

        Writes.Write alone = writes.next();
        assertEquals(List.of("1"), alone.texts(), "a free writer never waits for a batch to fill");
        assertNull(writes.fired.poll(), "the one writer is busy: the others wait");
        assertEquals(1, backlog.writersBusy());

        alone.stored();
        Writes.Write batch = writes.next();
        assertEquals(List.of("2", "3", "4"), batch.texts());
        assertStored(first);

        batch.stored();
        Writes.Write last = writes.next();
        assertEquals(List.of("5"), last.texts());
        last.stored();

        rest.forEach(BacklogTest::assertStored);
        assertTrue(backlog.nothingWaits());
        assertEquals(0, backlog.writersBusy());
        assertEquals(3, registry.get("slackir.shouts.store.batch").summary().count());
        assertEquals(3, registry.get("slackir.shouts.store.batch").summary().max());
    }

    @Test
    void eachFreeWriterTakesAShoutAtOnce() {
        backlog(2, 10, 100);

        store("1");
        store("2");
        store("3");

        assertEquals(List.of("1"), writes.next().texts());
        assertEquals(List.of("2"), writes.next().texts());
        assertNull(writes.fired.poll(), "both writers are busy");
        assertEquals(2, backlog.writersBusy());
    }

    @Test
    void aTransientFailureIsRetriedAndTheShoutThenStored() {
        backlog(1, 10, 100);
        CompletableFuture<Void> stored = store("hello");

        writes.next().failed(CONNECTION_LOST);

        assertTrue(backlog.failing());
        assertFalse(stored.isDone());
        Writes.Write again = writes.next();
        assertEquals(List.of("hello"), again.texts());
        assertTrue(again.batch().mayBeStored(), "the first write may have committed before the connection was lost");
        assertEquals(1, registry.get("slackir.shouts.store.retries").counter().count());

        again.stored();

        assertStored(stored);
        assertFalse(backlog.failing());
        assertEquals(0, backlog.size());
        expected.await("WARN", Backlog.class.getName(), "Storing shouts fails");
        expected.await("INFO", Backlog.class.getName(), "Shouts are stored again");
    }

    @Test
    void aDuplicateOnAFirstWriteIsWrittenAgainAtOnceAsARetry() {
        backlog(1, 10, 100);
        CompletableFuture<Void> stored = store("hello");

        writes.next().failed(new CompletionException(new SQLException("duplicate key value", "23505")));

        Writes.Write again = writes.fired.poll();
        assertEquals(List.of("hello"), again.texts(), "no pause");
        assertTrue(again.batch().mayBeStored(), "this time the persister looks for the row");
        again.stored();
        assertStored(stored);
    }

    @Test
    void aBatchRefusedForGoodIsWrittenShoutByShoutAndOnlyTheBadOneFails() {
        backlog(1, 10, 100);
        store("first");
        CompletableFuture<Void> good = store("good");
        CompletableFuture<Void> bad = store("bad");
        CompletableFuture<Void> fine = store("fine");
        writes.next().stored();

        Writes.Write batch = writes.next();
        assertEquals(List.of("good", "bad", "fine"), batch.texts());
        batch.failed(INVALID);

        // The shout at fault cannot be told from the others: each is written alone, in turn
        Writes.Write first = writes.next();
        assertEquals(List.of("good"), first.texts());
        assertTrue(first.batch().mayBeStored());
        first.stored();
        Writes.Write second = writes.next();
        assertEquals(List.of("bad"), second.texts());
        second.failed(INVALID);
        Writes.Write third = writes.next();
        assertEquals(List.of("fine"), third.texts());
        third.stored();

        assertStored(good);
        assertStored(fine);
        assertSame(INVALID, failure(bad));
        assertEquals(0, backlog.size());
        assertFalse(backlog.failing(), "bad data is not a failing database");
        assertEquals(0, registry.get("slackir.shouts.store.retries").counter().count());
        expected.await("WARN", Backlog.class.getName(), "A batch of 3 shouts was refused");
    }

    @Test
    void aShoutIsGivenUpWhenItsDeadlineWouldPassDuringTheNextPause() {
        backlog(1, 10, 100);
        CompletableFuture<Void> stored = store("hello");
        writes.next().failed(CONNECTION_LOST);
        Writes.Write again = writes.next();

        pass(RETRY_DEADLINE.minusMillis(2)); // more than a pause (1 ms at most) left: tried again
        again.failed(CONNECTION_LOST);
        Writes.Write last = writes.next();
        assertEquals(List.of("hello"), last.texts());

        pass(Duration.ofMillis(2).minusNanos(100_000)); // 0.1 ms left: it would pass during the pause (0.5 ms+)
        last.failed(CONNECTION_LOST);

        assertSame(CONNECTION_LOST, failure(stored), "its sender learns it is not stored");
        assertEquals(0, backlog.size());
        assertTrue(backlog.owed().isEmpty());
    }

    @Test
    void eachShoutOfABatchHasItsOwnDeadlineCountedFromItsAcceptance() {
        backlog(1, 10, 100);
        store("busy");
        CompletableFuture<Void> old = store("old");
        pass(Duration.ofSeconds(6));
        CompletableFuture<Void> young = store("young");
        writes.next().stored();
        Writes.Write batch = writes.next();
        assertEquals(List.of("old", "young"), batch.texts());

        pass(Duration.ofSeconds(5));
        batch.failed(CONNECTION_LOST);

        assertSame(CONNECTION_LOST, failure(old), "accepted 11 s ago");
        Writes.Write again = writes.next();
        assertEquals(List.of("young"), again.texts(), "accepted 5 s ago: retried");
        again.stored();
        assertStored(young);
    }

    @Test
    void stoppingRefusesNewShoutsAndDrainsOnceEveryAcceptedOneIsStored() {
        backlog(1, 10, 100);
        CompletableFuture<Void> first = store("first");
        CompletableFuture<Void> second = store("second");

        CompletableFuture<Void> drained = backlog.close();

        assertFalse(backlog.accepting());
        assertFalse(backlog.admit(), "stopping: no new shout");
        assertFalse(drained.isDone());
        assertEquals(Set.of("first", "second"), Set.copyOf(backlog.owed().stream().map(m -> m.message).toList()),
                "what would be logged if the drain timed out");

        writes.next().stored();
        assertStored(first);
        assertFalse(drained.isDone());
        writes.next().stored();

        assertStored(second);
        assertTrue(drained.isDone());
        assertTrue(backlog.owed().isEmpty());
    }

    @Test
    void stoppingWithNothingOwedIsDrainedAtOnce() {
        backlog(1, 10, 100);

        assertTrue(backlog.close().isDone());
    }

    @Test
    void aRetryDueOnceTheWritersAreStoppedFailsTheShoutRatherThanWaitingForever() {
        backlog(1, 10, 100);
        CompletableFuture<Void> stored = store("hello");
        Writes.Write write = writes.next();

        backlog.stop();
        write.failed(CONNECTION_LOST);

        assertSame(CONNECTION_LOST, failure(stored));
        assertEquals(0, backlog.size());
    }
}
