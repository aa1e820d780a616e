package io.slackir.conversations;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;

import io.slackir.chat.Shout;

/** Stores each accepted shout as a {@link Message}, off the chat's path: the broadcast never waits for it. */
@ApplicationScoped
public class ShoutPersister {

    private final Validator validator;

    ShoutPersister(Validator validator) {
        this.validator = validator;
    }

    /** One transaction per shout. Idempotent on the id: a retried write finds its row and stores nothing twice. */
    @Transactional
    void persist(@ObservesAsync Shout shout) {
        if (Message.findById(shout.id()) != null) {
            return;
        }
        Message message = Message.from(shout);
        Set<ConstraintViolation<Message>> violations = validator.validate(message);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException("Shout " + shout.id() + " is not a valid message", violations);
        }
        message.persist();
    }
}
