package io.slackir.conversations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.EventContext;
import jakarta.enterprise.inject.spi.ObserverMethod;

import org.jboss.logging.Logger;

import io.quarkus.arc.AsyncObserverExceptionHandler;

/**
 * Replaces ArC's handler, which logs every failed async observer with its stack trace: a batch of shouts that fails to
 * be stored is retried or split and reported by {@link Backlog} (once per outage, once per split) and the Megaphone
 * (once per shout given up on), so a database outage does not flood the log. Failures of other events are logged as
 * ArC would.
 */
@ApplicationScoped
public class ObserverFailures implements AsyncObserverExceptionHandler {

    private static final Logger LOG = Logger.getLogger(ObserverFailures.class);

    @Override
    public void handle(Throwable failure, ObserverMethod<?> observer, EventContext<?> event) {
        if (event.getEvent() instanceof Batch batch) {
            LOG.debugf("Storing %d shouts failed: %s", batch.messages().size(), failure);
        } else {
            LOG.errorf(failure, "An async observer failed: %s", observer);
        }
    }
}
