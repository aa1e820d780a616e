package io.slackir.conversations;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.QueryTimeoutException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.slackir.SlackirConfig;
import io.slackir.chat.Shout;

/**
 * The shouts accepted and not stored yet, on their way to PostgreSQL: bounded, written in batches by threads of their
 * own, retried through transient failures until a deadline, and drained before the service stops. Each batch is handed
 * to {@link ShoutPersister} as a CDI event ({@code fireAsync}), once per attempt; each shout completes on its own.
 */
@ApplicationScoped
// Created at startup, not at the first shout: its metrics are there (at zero) from the first scrape
@Startup
public class Backlog {

    private static final Logger LOG = Logger.getLogger(Backlog.class);

    private final Event<Shouts> persistence;
    private final SlackirConfig.Persistence config;
    private final int batchSize;
    private final Duration drainTimeout;
    private final ExecutorService writers;
    private final NotificationOptions onWriters;
    /** Waits out the pauses between attempts, so no writer sleeps. */
    private final ScheduledExecutorService retries;
    private final AtomicInteger admitted = new AtomicInteger();
    /** What is owed to PostgreSQL, by id: logged in full if the service must stop before storing it. */
    private final Map<UUID, Shout> pending = new ConcurrentHashMap<>();
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
    private final Counter retried;
    private final Timer latency;
    private final DistributionSummary batches;

    /**
     * A shout on its way: its sender's future, when it was accepted (its retry deadline counts from then), how many
     * writes it has been in, and whether it must be written alone.
     */
    private record Owed(Shout shout, CompletableFuture<Shout> done, long start, int attempt, boolean alone) {

        Owed again(boolean alone) {
            return new Owed(shout, done, start, attempt + 1, alone);
        }

        /** Whether it may be stored already: it was in a write before (a retry, or alone after its batch failed). */
        boolean written() {
            return attempt > 1 || alone;
        }
    }

    Backlog(Event<Shouts> persistence, SlackirConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> shutdownTimeout) {
        this.persistence = persistence;
        this.config = config.persistence();
        // At least one: a writer taking nothing would never stop taking
        this.batchSize = Math.max(1, this.config.batchSize());
        Duration drain = this.config.drainTimeout();
        this.drainTimeout = shutdownTimeout.filter(t -> t.compareTo(drain) < 0).orElse(drain);
        this.writers = Executors.newFixedThreadPool(this.config.threads(), named("slackir-store"));
        this.onWriters = NotificationOptions.ofExecutor(writers);
        this.retries = Executors.newSingleThreadScheduledExecutor(named("slackir-store-retry"));
        this.retried = registry.counter("slackir.shouts.store.retries");
        this.latency = Timer.builder("slackir.shouts.store.latency")
                .description("From a shout's acceptance to its commit")
                .publishPercentileHistogram()
                .publishPercentiles(0.5, 0.99)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(this.config.retryDeadline())
                .register(registry);
        this.batches = DistributionSummary.builder("slackir.shouts.store.batch")
                .description("Shouts written in one transaction, at each attempt")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        Gauge.builder("slackir.shouts.backlog", admitted, AtomicInteger::get)
                .description("Shouts accepted and not stored yet")
                .strongReference(true)
                .register(registry);
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

    /** Gives back a place that {@link #admit} gave, for a shout that was not accepted after all. */
    public void release() {
        admitted.decrementAndGet();
    }

    /**
     * Stores an admitted shout, in a batch with whatever else waits. Transient failures are retried with backoff until
     * the retry deadline; a failure of the data (a constraint, a value PostgreSQL refuses) is not, and fails this shout
     * only.
     *
     * @return completes once the shout is committed, or exceptionally once it never will be
     */
    public CompletionStage<Shout> store(Shout shout) {
        pending.put(shout.id(), shout);
        long start = System.nanoTime();
        CompletableFuture<Shout> done = new CompletableFuture<>();
        CompletionStage<Shout> settled = done.whenComplete((stored, failure) -> {
            pending.remove(shout.id());
            admitted.decrementAndGet();
            if (failure == null) {
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        });
        waiting.add(new Owed(shout, done, start, 1, false));
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
        batches.record(batch.size());
        CompletionStage<Shouts> written;
        try {
            written = persistence.fireAsync(new Shouts(batch.stream().map(Owed::shout).toList(),
                    batch.stream().anyMatch(Owed::written)), onWriters);
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
            batch.forEach(owed -> owed.done().complete(owed.shout()));
        } else if (isTransient(failure)) {
            retry(batch, failure);
        } else if (isDuplicate(failure) && batch.stream().noneMatch(Owed::written)) {
            // A row with one of these ids is there already, which only a retry should meet (ids are fresh), and only a
            // retry looks for stored rows: written again at once, as a retry, storing only those not there
            retried.increment(batch.size());
            batch.reversed().forEach(owed -> waiting.addFirst(owed.again(false)));
        } else if (batch.size() > 1) {
            // The transaction stored none of them; written alone, only the shout at fault fails
            LOG.warnf("A batch of %d shouts was refused (%s); writing each alone", batch.size(), rootCause(failure));
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
        long pause = backoff(batch.stream().mapToInt(Owed::attempt).max().orElse(1));
        long now = System.nanoTime();
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
            LOG.warnf("Storing shouts fails (%s); retrying each for up to %s", rootCause(failure),
                    config.retryDeadline());
        }
        retried.increment(again.size());
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

    /** Exponential, capped, with full jitter on the upper half: writers that failed together do not retry together. */
    private long backoff(int attempt) {
        long base = config.retryBackoff().toNanos() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.retryMaxBackoff().toNanos());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    /**
     * A failure worth retrying: the database was unreachable, restarting, out of connections or resolving a conflict
     * between transactions. Anything else (a constraint, bad data, a bug) fails the same way the next time.
     */
    static boolean isTransient(Throwable failure) {
        return anyCause(failure, Backlog::isTransientItself, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /** A row with the same id is stored already: PostgreSQL's unique violation. */
    static boolean isDuplicate(Throwable failure) {
        return anyCause(failure, t -> t instanceof SQLException sql && "23505".equals(sql.getSQLState()),
                Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /**
     * Looks through causes and suppressed exceptions: a connection lost at commit reaches us as Narayana's
     * RollbackException, with the driver's exception suppressed in an XAException rather than as a cause.
     */
    private static boolean anyCause(Throwable t, Predicate<Throwable> test, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (test.test(t)) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (anyCause(suppressed, test, seen)) {
                return true;
            }
        }
        return anyCause(t.getCause(), test, seen);
    }

    private static boolean isTransientItself(Throwable t) {
        if (t instanceof JDBCConnectionException || t instanceof PessimisticLockException
                || t instanceof LockTimeoutException || t instanceof QueryTimeoutException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState();
            if (state == null) {
                // Agroal's own "Sorry, acquisition timeout!": every connection is busy or none can be made
                return sql.getMessage() != null && sql.getMessage().contains("acquisition timeout");
            }
            return state.startsWith("08") // connection exception
                    || state.equals("40001") // serialization failure
                    || state.equals("40P01") // deadlock detected
                    || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
                    || state.equals("53300") // too many connections
                    || state.equals("57014"); // query canceled (statement timeout)
        }
        return false;
    }

    private static String rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
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

    /**
     * On shutdown (SIGTERM), before the datasource closes: stops accepting shouts and waits, up to the drain timeout,
     * until every accepted one is stored or given up. Whatever is still owed then is logged in full, so nothing is lost
     * without a trace.
     */
    void drain(@Observes ShutdownEvent event) {
        accepting = false;
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        int owed = admitted.get();
        if (owed > 0) {
            LOG.infof("Stopping: storing the %d shouts still owed to the database", owed);
        }
        while (admitted.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!pending.isEmpty()) {
            LOG.errorf("Stopping with %d shouts not stored", pending.size());
            pending.values().forEach(s -> LOG.errorf("Not stored: %s", s));
        } else if (owed > 0) {
            LOG.infof("Stopping: every accepted shout is stored");
        }
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
        writers.shutdownNow();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
