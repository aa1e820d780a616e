package io.slackir.conversations;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;

import io.slackir.chat.Shout;

/** Stores accepted shouts as {@link Message}s, off the chat's path: the broadcast never waits for them. */
@ApplicationScoped
public class ShoutPersister {

    private final Validator validator;

    ShoutPersister(Validator validator) {
        this.validator = validator;
    }

    /**
     * One transaction for the whole batch; Hibernate sends its inserts as JDBC batches. Idempotent on the ids: a
     * retried batch finds the rows that did commit, with one query, and stores only the others. Any failure fails the
     * whole batch: {@link Backlog} then writes each shout alone, so that one bad shout fails by itself.
     */
    @Transactional
    void persist(@ObservesAsync Shouts batch) {
        List<Message> messages = new ArrayList<>(batch.shouts().size());
        for (Shout shout : batch.shouts()) {
            Message message = Message.from(shout);
            Set<ConstraintViolation<Message>> violations = validator.validate(message);
            if (!violations.isEmpty()) {
                throw new ConstraintViolationException("Shout " + shout.id() + " is not a valid message", violations);
            }
            messages.add(message);
        }
        // A shout's first attempt should not find it stored (its id was just given): the lookup is for retries only, a
        // query saved on nearly every transaction. Should one meet its row, the duplicate key fails the batch and
        // Backlog writes it again as a retry
        Set<UUID> stored = batch.written() ? Message.storedAmong(messages.stream().map(m -> m.id).toList()) : Set.of();
        for (Message message : messages) {
            if (!stored.contains(message.id)) {
                message.persist();
            }
        }
    }
}
