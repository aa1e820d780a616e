package io.slackir.chat.protocol;

import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.slackir.conversations.Message;

/**
 * An accepted shout: validated, given its id and the server's time. The room event that is remembered (a room's
 * history holds it) and stored; what the HTTP API returns.
 *
 * @param id a UUIDv7, monotonic, so ids sort in acceptance order
 * @param insertedAt when the shout was accepted, to the microsecond (what PostgreSQL keeps)
 */
@RegisterForReflection
public record Shout(UUID id, String room, String name, String message, Instant insertedAt) implements RoomEvent {

    /** The {@code type} of its frame. */
    public static final String TYPE = "shout";

    /** The canonical text form only: UUID.fromString also takes "1-1-1-1-1". */
    private static final Pattern ID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** A stored shout. */
    public static Shout of(Message stored) {
        return new Shout(stored.id, stored.room, stored.name, stored.message, stored.insertedAt);
    }

    /** The shout as it is to be stored. */
    public Message toMessage() {
        return Message.of(id, room, name, message, insertedAt);
    }

    @Override
    @JsonIgnore
    public String type() {
        return TYPE;
    }

    @Override
    @JsonIgnore
    public ShoutFrame frame() {
        return new ShoutFrame(TYPE, id, room, name, message, insertedAt);
    }

    /** The lowest UUIDv7 of that millisecond: below every shout accepted then or later, above every earlier one. */
    public static UUID idAt(Instant time) {
        return new UUID((time.toEpochMilli() << 16) | 0x7000L, 0x8000000000000000L);
    }

    /** When the shout with this id was accepted, to the millisecond. */
    public static Instant timeOf(UUID id) {
        return Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16);
    }

    /** A shout id written by a client, or null when it is not a UUID in its canonical form. */
    public static UUID id(String text) {
        return text != null && ID_TEXT.matcher(text).matches() ? UUID.fromString(text) : null;
    }
}
