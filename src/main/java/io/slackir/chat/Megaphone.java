package io.slackir.chat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

import org.jboss.logging.Logger;

import com.github.f4b6a3.uuid.factory.standard.TimeOrderedEpochFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.slackir.chat.protocol.ErrorCode;
import io.slackir.chat.protocol.FieldError;
import io.slackir.chat.protocol.Refusal;
import io.slackir.chat.protocol.Shout;
import io.slackir.conversations.Backlog;
import io.slackir.conversations.Message;

/**
 * The one way a shout enters Slackir, whoever sends it: validate, give it an id and the server's time, let it happen in
 * its room ({@link Rooms}), and hand it to the {@link Backlog} of persistence without waiting for the database.
 */
@ApplicationScoped
// Created at startup, not at the first shout: its metrics are there (at zero) from the first scrape
@Startup
public class Megaphone {

    private static final Logger LOG = Logger.getLogger(Megaphone.class);

    /**
     * What became of an accepted shout.
     *
     * @param stored completes once the shout is committed, or exceptionally once it never will be
     */
    public record Accepted(Shout shout, CompletionStage<Void> stored) {
    }

    /** Made here, at run time, not in a static field: a native image must not hold a seeded random. */
    private final TimeOrderedEpochFactory ids = new TimeOrderedEpochFactory();
    private final Validator validator;
    private final Rooms rooms;
    private final Backlog backlog;
    private final MeterRegistry registry;
    private final Counter accepted;
    private final Counter stored;
    private final Counter storeFailures;

    Megaphone(Validator validator, Rooms rooms, Backlog backlog, MeterRegistry registry) {
        this.validator = validator;
        this.rooms = rooms;
        this.backlog = backlog;
        this.registry = registry;
        this.accepted = registry.counter("slackir.shouts.accepted");
        this.stored = registry.counter("slackir.shouts.stored");
        this.storeFailures = registry.counter("slackir.shouts.store.failures");
    }

    /**
     * Accepts a shout, or refuses it.
     *
     * @throws Refusal {@link ErrorCode#INVALID} with each invalid field, or {@link ErrorCode#OVERLOADED} when the
     *         backlog is full or the service is stopping; nothing was broadcast or stored
     */
    public Accepted shout(String room, String name, String message) {
        String trimmedName = name == null ? null : name.strip();
        String trimmedMessage = message == null ? null : message.strip();
        List<FieldError> errors = new ArrayList<>();
        check("room", room, errors);
        check("name", trimmedName, errors);
        check("message", trimmedMessage, errors);
        if (!errors.isEmpty()) {
            throw new Refusal(ErrorCode.INVALID, "the shout is invalid", errors);
        }

        if (!backlog.admit()) {
            throw new Refusal(ErrorCode.OVERLOADED, backlog.accepting()
                    ? "too many shouts wait to be stored; try again shortly"
                    : "the service is stopping; reconnect shortly");
        }
        Shout shout;
        try {
            shout = rooms.shout(room, r -> new Shout(ids.create(), r, trimmedName, trimmedMessage,
                    Instant.now().truncatedTo(ChronoUnit.MICROS)));
        } catch (RuntimeException e) {
            backlog.release();
            throw e;
        }
        accepted.increment();
        CompletionStage<Void> done = backlog.store(shout.toMessage()).whenComplete((nothing, failure) -> {
            rooms.settled(shout);
            if (failure == null) {
                stored.increment();
            } else {
                storeFailures.increment();
                LOG.errorf(failure, "Shout %s of room %s was broadcast but not stored", shout.id(), shout.room());
            }
        });
        return new Accepted(shout, done);
    }

    /** Counts a refused shout, whoever refused it, by its code: {@code slackir.shouts.refused{code}}. */
    public void refused(Refusal refusal) {
        registry.counter("slackir.shouts.refused", "code", refusal.code().wire()).increment();
    }

    /** Adds to {@code errors} each rule of a valid shout that {@code value}, as the {@code field} of one, breaks. */
    void check(String field, String value, List<FieldError> errors) {
        for (ConstraintViolation<Message> violation : validator.validateValue(Message.class, field, value)) {
            errors.add(new FieldError(field, violation.getMessage()));
        }
    }
}
