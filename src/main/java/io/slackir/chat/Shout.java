package io.slackir.chat;

import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

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

    /** The canonical text form only: UUID.fromString also takes "1-1-1-1-1". */
    private static final Pattern ID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The lowest UUIDv7 of that millisecond: below every shout accepted then or later, above every earlier one. */
    public static UUID idAt(Instant time) {
        return new UUID((time.toEpochMilli() << 16) | 0x7000L, 0x8000000000000000L);
    }

    /** A shout id written by a client, or null when it is not a UUID in its canonical form. */
    public static UUID id(String text) {
        return text != null && ID_TEXT.matcher(text).matches() ? UUID.fromString(text) : null;
    }
}
