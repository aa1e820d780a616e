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

/** Stores accepted shouts as {@link Message} rows, off the chat's path: the broadcast never waits for them. */
@ApplicationScoped
public class MessagePersister {

    private final Validator validator;

    MessagePersister(Validator validator) {
        this.validator = validator;
    }

    /**
     * One transaction for the whole batch; Hibernate sends its inserts as JDBC batches. Idempotent on the ids: a
     * retried batch finds the rows that did commit, with one query, and stores only the others. Any failure fails the
     * whole batch: {@link Backlog} then writes each message alone, so that one bad message fails by itself.
     */
    @Transactional
    void persist(@ObservesAsync Batch batch) {
        List<Message> rows = new ArrayList<>(batch.messages().size());
        for (Message accepted : batch.messages()) {
            // A fresh entity per attempt: one a rolled-back transaction saw is not reused
            Message row = accepted.copy();
            Set<ConstraintViolation<Message>> violations = validator.validate(row);
            if (!violations.isEmpty()) {
                throw new ConstraintViolationException("Shout " + row.id + " is not a valid message", violations);
            }
            rows.add(row);
        }
        // A first attempt should not find its rows (their ids were just given): the lookup is for retries only, a query
        // saved on nearly every transaction. Should one meet its row, the duplicate key fails the batch and Backlog
        // writes it again as a retry
        Set<UUID> stored = batch.mayBeStored() ? Message.storedAmong(rows.stream().map(m -> m.id).toList()) : Set.of();
        for (Message row : rows) {
            if (!stored.contains(row.id)) {
                row.persist();
            }
        }
    }
}
