package io.slackir.conversations;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.slackir.SlackirConfig;

/**
 * On shutdown (SIGTERM), before the datasource closes: the {@link Backlog} stops accepting shouts and is given up to
 * {@code slackir.persistence.drain-timeout} to store what it owes. Whatever is still owed then is logged in full, so
 * nothing is lost without a trace.
 */
@ApplicationScoped
public class BacklogDrain {

    private static final Logger LOG = Logger.getLogger(BacklogDrain.class);

    private final Backlog backlog;
    private final Duration timeout;

    BacklogDrain(Backlog backlog, SlackirConfig config,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> shutdownTimeout) {
        this.backlog = backlog;
        Duration drain = config.persistence().drainTimeout();
        this.timeout = shutdownTimeout.filter(t -> t.compareTo(drain) < 0).orElse(drain);
    }

    void drain(@Observes ShutdownEvent event) {
        int owed = backlog.size();
        CompletableFuture<Void> drained = backlog.close();
        if (owed > 0) {
            LOG.infof("Stopping: storing the %d shouts still owed to the database", owed);
        }
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // What is left is logged below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Collection<Message> left = backlog.owed();
        if (!left.isEmpty()) {
            LOG.errorf("Stopping with %d shouts not stored", left.size());
            left.forEach(m -> LOG.errorf("Not stored: %s", m));
        } else if (owed > 0) {
            LOG.infof("Stopping: every accepted shout is stored");
        }
    }
}
