package io.slackir.conversations;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.slackir.SlackirConfig;
import io.slackir.chat.Shout;

/**
 * The shouts accepted and not stored yet, on their way to PostgreSQL: bounded, written by threads of their own, retried
 * through transient failures until a deadline, and drained before the service stops. Each shout is handed to
 * {@link ShoutPersister} as a CDI event ({@code fireAsync}), once per attempt.
 */
@ApplicationScoped
// Created at startup, not at the first shout: its metrics are there (at zero) from the first scrape
@Startup
public class Backlog {

    private static final Logger LOG = Logger.getLogger(Backlog.class);

    private final Event<Shout> persistence;
    private final SlackirConfig.Persistence config;
    private final Duration drainTimeout;
    private final ExecutorService writers;
    private final NotificationOptions onWriters;
    /** Waits out the pauses between attempts, so no writer sleeps. */
    private final ScheduledExecutorService retries;
    private final AtomicInteger admitted = new AtomicInteger();
    /** What is owed to PostgreSQL, by id: logged in full if the service must stop before storing it. */
    private final Map<UUID, Shout> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile boolean accepting = true;
    private final Counter retried;
    private final Timer latency;

    Backlog(Event<Shout> persistence, SlackirConfig config, MeterRegistry registry,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> shutdownTimeout) {
        this.persistence = persistence;
        this.config = config.persistence();
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
     * Stores an admitted shout. Transient failures are retried with backoff until the retry deadline; a failure of the
     * data (a constraint, a value PostgreSQL refuses) is not.
     *
     * @return completes once the shout is committed, or exceptionally once it never will be
     */
    public CompletionStage<Shout> store(Shout shout) {
        pending.put(shout.id(), shout);
        long start = System.nanoTime();
        CompletableFuture<Shout> done = new CompletableFuture<>();
        attempt(shout, start, 1, done);
        return done.whenComplete((stored, failure) -> {
            pending.remove(shout.id());
            admitted.decrementAndGet();
            if (failure == null) {
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        });
    }

    private void attempt(Shout shout, long start, int attempt, CompletableFuture<Shout> done) {
        CompletionStage<Shout> written;
        try {
            written = persistence.fireAsync(shout, onWriters);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete((stored, failure) -> {
            if (failure == null) {
                if (failing.compareAndSet(true, false)) {
                    LOG.infof("Shouts are stored again; %d wait to be stored", admitted.get());
                }
                done.complete(shout);
                return;
            }
            long pause = backoff(attempt);
            boolean inTime = System.nanoTime() - start + pause < config.retryDeadline().toNanos();
            if (isTransient(failure) && inTime) {
                if (failing.compareAndSet(false, true)) {
                    LOG.warnf("Storing shouts fails (%s); retrying each for up to %s", rootCause(failure),
                            config.retryDeadline());
                }
                retried.increment();
                retries.schedule(() -> attempt(shout, start, attempt + 1, done), pause, TimeUnit.NANOSECONDS);
            } else {
                done.completeExceptionally(failure);
            }
        });
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
        return isTransient(failure, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /**
     * Looks through causes and suppressed exceptions: a connection lost at commit reaches us as Narayana's
     * RollbackException, with the driver's exception suppressed in an XAException rather than as a cause.
     */
    private static boolean isTransient(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (isTransientItself(t)) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (isTransient(suppressed, seen)) {
                return true;
            }
        }
        return isTransient(t.getCause(), seen);
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
