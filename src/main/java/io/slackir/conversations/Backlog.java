package io.slackir.conversations;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.slackir.Backoff;
import io.slackir.SlackirConfig;

/**
 * The shouts accepted and not stored yet, on their way to PostgreSQL: bounded, written in batches by threads of their
 * own, retried through transient failures until a deadline ({@link StoreFailures} says which), and drained before the
 * service stops ({@link BacklogDrain}). Each batch is handed to {@link MessagePersister} as a CDI event
 * ({@code fireAsync}), once per attempt; each shout completes on its own.
 */
@ApplicationScoped
// Created at startup, not at the first shout: its metrics are there (at zero) from the first scrape
@Startup
public class Backlog {

    private static final Logger LOG = Logger.getLogger(Backlog.class);

    private final Event<Batch> persistence;
    private final SlackirConfig.Persistence config;
    private final int batchSize;
    private final Backoff backoff;
    private final ExecutorService writers;
    private final NotificationOptions onWriters;
    /** Waits out the pauses between attempts, so no writer sleeps. */
    private final ScheduledExecutorService retries;
    private final AtomicInteger admitted = new AtomicInteger();
    /** What is owed to PostgreSQL, by id: logged in full if the service must stop before storing it. */
    private final Map<UUID, Message> pending = new ConcurrentHashMap<>();
    /** Completes once the service stops and the backlog is empty. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    /** Shouts waiting for a writer, oldest first; a retried batch goes back in front. */
    private final ConcurrentLinkedDeque<Owed> waiting = new ConcurrentLinkedDeque<>();
    /** Shouts of a batch that failed for good, each to be written alone: one bad shout must not fail the others. */
    private final ConcurrentLinkedQueue<Owed> alone = new ConcurrentLinkedQueue<>();
    /**
     * Batches being written, at most one per writer thread: shouts wait in {@link #waiting}, not in the pool's queue,
     * so the next free writer takes all that came meanwhile in one batch.
     */
    private final AtomicInteger writing = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile boolean accepting = true;
    private final BacklogMeters meters;
    /** The clock a shout's acceptance and retry deadline are measured on: {@link System#nanoTime}, or a test's. */
    private final LongSupplier nanoTime;

    // The constructor CDI calls: the other one lets a test move the clock
    @Inject
    Backlog(Event<Batch> persistence, SlackirConfig config, MeterRegistry registry) {
        this(persistence, config, registry, System::nanoTime);
    }

    Backlog(Event<Batch> persistence, SlackirConfig config, MeterRegistry registry, LongSupplier nanoTime) {
        this.persistence = persistence;
        this.nanoTime = nanoTime;
        this.config = config.persistence();
        // At least one: a writer taking nothing would never stop taking
        this.batchSize = Math.max(1, this.config.batchSize());
        this.backoff = new Backoff(this.config.retryBackoff(), this.config.retryMaxBackoff());
        this.writers = Executors.newFixedThreadPool(this.config.threads(),
                Thread.ofPlatform().name("slackir-store-", 1).daemon().factory());
        this.onWriters = NotificationOptions.ofExecutor(writers);
        this.retries = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("slackir-store-retry").daemon().factory());
        this.meters = new BacklogMeters(registry, this.config.retryDeadline(), admitted);
    }

    /**
     * Takes a place for a shout about to be accepted.
     *
     * @return false when the backlog is full or the service is stopping: the shout must be refused
     */
    public boolean admit() {
        while (accepting) {
            int now = admitted.get();
            if (now >= config.backlogMax()) {
                return false;
            }
            if (admitted.compareAndSet(now, now + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives back a place that {@link #admit} gave, for a shout that was not accepted after all (or is settled). */
    public void release() {
        if (admitted.decrementAndGet() == 0 && !accepting) {
            drained.complete(null);
        }
    }

    /**
     * Stores an admitted shout, in a batch with whatever else waits. Transient failures are retried with backoff until
     * the retry deadline; a failure of the data (a constraint, a value PostgreSQL refuses) is not, and fails this shout
     * only.
     *
     * @param message the shout as it is to be stored; never persisted itself (each attempt persists a copy)
     * @return completes once the shout is committed, or exceptionally once it never will be
     */
    public CompletionStage<Void> store(Message message) {
        pending.put(message.id, message);
        long start = nanoTime.getAsLong();
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletionStage<Void> settled = done.whenComplete((stored, failure) -> {
            pending.remove(message.id);
            release();
            if (failure == null) {
                meters.latency().record(nanoTime.getAsLong() - start, TimeUnit.NANOSECONDS);
            }
        });
        waiting.add(new Owed(message, done, start, 1, false));
        writeWaiting();
        return settled;
    }

    /**
     * Starts a batch while a writer is free and shouts wait. Called whenever a shout comes, a batch ends or a retry is
     * due, so no writer is idle while shouts wait, and none waits for a batch to fill.
     */
    private void writeWaiting() {
        while (!alone.isEmpty() || !waiting.isEmpty()) {
            int busy = writing.get();
            if (busy >= config.threads()) {
                // The batch that ends next takes them
                return;
            }
            if (!writing.compareAndSet(busy, busy + 1)) {
                continue;
            }
            List<Owed> batch = take();
            if (batch.isEmpty()) {
                // Another thread took them first
                writing.decrementAndGet();
            } else {
                write(batch);
            }
        }
    }

    /**
     * A shout to be written alone, or what waits now, up to the batch size. One writer takes at a time: two writers
     * freed together would otherwise share out what waits, shout by shout, in two small batches.
     */
    private synchronized List<Owed> take() {
        Owed single = alone.poll();
        if (single != null) {
            return List.of(single);
        }
        List<Owed> batch = new ArrayList<>(Math.min(batchSize, 64));
        Owed next;
        while (batch.size() < batchSize && (next = waiting.poll()) != null) {
            batch.add(next);
        }
        return batch;
    }

    private void write(List<Owed> batch) {
        meters.batches().record(batch.size());
        CompletionStage<Batch> written;
        try {
            written = persistence.fireAsync(new Batch(batch.stream().map(Owed::message).toList(),
                    batch.stream().anyMatch(Owed::mayBeStored)), onWriters);
        } catch (RuntimeException e) {
            // Not even handed to a writer (they are stopped): nothing to retry or split
            batch.forEach(owed -> owed.done().completeExceptionally(e));
            writing.decrementAndGet();
            return;
        }
        written.whenComplete((stored, failure) -> {
            try {
                settle(batch, failure);
            } finally {
                writing.decrementAndGet();
                writeWaiting();
            }
        });
    }

    private void settle(List<Owed> batch, Throwable failure) {
        if (failure == null) {
            if (failing.compareAndSet(true, false)) {
                LOG.infof("Shouts are stored again; %d wait to be stored", admitted.get());
            }
            batch.forEach(owed -> owed.done().complete(null));
        } else if (StoreFailures.isTransient(failure)) {
            retry(batch, failure);
        } else if (StoreFailures.isDuplicate(failure) && batch.stream().noneMatch(Owed::mayBeStored)) {
            // A row with one of these ids is there already, which only a retry should meet (ids are fresh), and only a
            // retry looks for stored rows: written again at once, as a retry, storing only those not there
            meters.retried().increment(batch.size());
            batch.reversed().forEach(owed -> waiting.addFirst(owed.again(false)));
        } else if (batch.size() > 1) {
            // The transaction stored none of them; written alone, only the shout at fault fails
            LOG.warnf("A batch of %d shouts was refused (%s); writing each alone", batch.size(),
                    StoreFailures.rootCause(failure));
            batch.forEach(owed -> alone.add(owed.again(true)));
        } else {
            batch.getFirst().done().completeExceptionally(failure);
        }
    }

    /**
     * Writes the batch again after a pause, in front of what came since; a shout whose deadline would pass during the
     * pause fails now.
     */
    private void retry(List<Owed> batch, Throwable failure) {
        long pause = backoff.after(batch.stream().mapToInt(Owed::attempt).max().orElse(1)).toNanos();
        long now = nanoTime.getAsLong();
        List<Owed> again = new ArrayList<>(batch.size());
        for (Owed owed : batch) {
            if (now - owed.start() + pause < config.retryDeadline().toNanos()) {
                again.add(owed.again(owed.alone()));
            } else {
                owed.done().completeExceptionally(failure);
            }
        }
        if (again.isEmpty()) {
            return;
        }
        if (failing.compareAndSet(false, true)) {
            LOG.warnf("Storing shouts fails (%s); retrying each for up to %s", StoreFailures.rootCause(failure),
                    config.retryDeadline());
        }
        meters.retried().increment(again.size());
        try {
            retries.schedule(() -> {
                for (Owed owed : again.reversed()) {
                    if (owed.alone()) {
                        alone.add(owed);
                    } else {
                        waiting.addFirst(owed);
                    }
                }
                writeWaiting();
            }, pause, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            again.forEach(owed -> owed.done().completeExceptionally(failure));
        }
    }

    /** Writers busy with a batch. */
    int writersBusy() {
        return writing.get();
    }

    /** No shout waits for a writer. */
    boolean nothingWaits() {
        return waiting.isEmpty() && alone.isEmpty();
    }

    /** Shouts accepted and not stored yet. */
    public int size() {
        return admitted.get();
    }

    /** True while writes fail and are being retried: the database is unreachable or struggling. */
    public boolean failing() {
        return failing.get();
    }

    /** False once the service is stopping: no shout is accepted any more. */
    public boolean accepting() {
        return accepting;
    }

    /** Accepts no more shouts (the service is stopping); completes once every accepted one is settled. */
    CompletableFuture<Void> close() {
        accepting = false;
        if (admitted.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    /** The shouts owed to the database now. */
    Collection<Message> owed() {
        return List.copyOf(pending.values());
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
        writers.shutdownNow();
    }
}
