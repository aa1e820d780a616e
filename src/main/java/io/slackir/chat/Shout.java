package io.slackir.chat;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * An accepted shout: validated, given its id and the server's time. It is what a room sees, what history holds and the
 * payload of the event that stores it.
 *
 * @param id a UUIDv7, monotonic, so ids sort in acceptance order
 * @param insertedAt when the shout was accepted, to the microsecond (what PostgreSQL keeps)
 */
@RegisterForReflection
public record Shout(UUID id, String room, String name, String message, Instant insertedAt) {
}
