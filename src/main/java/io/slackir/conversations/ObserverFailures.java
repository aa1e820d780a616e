package io.slackir.conversations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.EventContext;
import jakarta.enterprise.inject.spi.ObserverMethod;

import org.jboss.logging.Logger;

import io.quarkus.arc.AsyncObserverExceptionHandler;
import io.slackir.chat.Shout;

/**
 * Replaces ArC's handler, which logs every failed async observer with its stack trace: a shout that fails to be stored
 * is retried and reported by {@link Backlog} (once per outage) and the Megaphone (once per shout given up on), so a
 * database outage does not flood the log. Failures of other events are logged as ArC would.
 */
@ApplicationScoped
public class ObserverFailures implements AsyncObserverExceptionHandler {

    private static final Logger LOG = Logger.getLogger(ObserverFailures.class);

    @Override
    public void handle(Throwable failure, ObserverMethod<?> observer, EventContext<?> event) {
        if (event.getEvent() instanceof Shout shout) {
            LOG.debugf("Storing shout %s failed: %s", shout.id(), failure);
        } else {
            LOG.errorf(failure, "An async observer failed: %s", observer);
        }
    }
}
