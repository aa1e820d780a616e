package io.slackir.chat;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The frames of protocol v1 (docs/protocol.md): one record for each the server sends, serialized by Jackson. */
public final class Frames {

    private Frames() {
    }

    /** Broadcast to every connection of the room when a shout is accepted. */
    @RegisterForReflection
    public record ShoutFrame(String type, UUID id, String room, String name, String message, Instant insertedAt) {
        public static ShoutFrame of(Shout shout) {
            return new ShoutFrame("shout", shout.id(), shout.room(), shout.name(), shout.message(), shout.insertedAt());
        }
    }

    /**
     * Sent to a connection right after it joins.
     *
     * @param messages oldest first
     * @param complete true when {@code messages} holds every shout of the room: there is nothing older to page
     */
    @RegisterForReflection
    public record History(String type, List<Shout> messages, boolean complete) {
        public History(List<Shout> messages, boolean complete) {
            this("history", messages, complete);
        }
    }

    /** One member of a room: everyone who speaks as that name, on any node. */
    @RegisterForReflection
    public record PresenceEntry(String name, int connections, Instant since) {
    }

    /**
     * Who is in the room, sent right after the history.
     *
     * @param members by name
     * @param unnamed connections that gave no name
     */
    @RegisterForReflection
    public record PresenceState(String type, List<PresenceEntry> members, int unnamed) {
        public static final String TYPE = "presence";

        public PresenceState(List<PresenceEntry> members, int unnamed) {
            this(TYPE, members, unnamed);
        }

        /** Every connection: each member's, and the unnamed ones. Not in the frame: a client can add them up. */
        @JsonIgnore
        public int connections() {
            return unnamed + members.stream().mapToInt(PresenceEntry::connections).sum();
        }
    }

    /**
     * Who came and went in the room over a short window.
     *
     * @param joins new members, or members whose entry changed (a second tab): each replaces the client's entry
     * @param leaves names of members with no connection left
     */
    @RegisterForReflection
    public record PresenceDiff(String type, List<PresenceEntry> joins, List<String> leaves, int unnamed) {
        public static final String TYPE = "presence_diff";

        public PresenceDiff(List<PresenceEntry> joins, List<String> leaves, int unnamed) {
            this(TYPE, joins, leaves, unnamed);
        }
    }

    /** Someone in the room is typing. */
    @RegisterForReflection
    public record TypingFrame(String type, String name) {
    }

    /** Tells a sender that its shout is stored. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ack(String type, UUID id, String ref) {
        public Ack(UUID id, String ref) {
            this("ack", id, ref);
        }
    }

    /** Tells a sender that its frame was refused, or that its shout could not be stored ({@code id}). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String type, ErrorCode code, String message, String ref, UUID id, List<FieldError> errors) {
        public static Error of(Refusal refused, String ref) {
            return new Error("error", refused.code(), refused.getMessage(), ref, null, refused.errors());
        }

        public static Error notStored(UUID id, String ref) {
            return new Error("error", ErrorCode.NOT_STORED, "the shout was broadcast but could not be stored", ref, id,
                    null);
        }
    }

    /**
     * A string field of a frame the server reads (a shout, over the socket or HTTP), or null when absent or null; a
     * field of another JSON type is added to {@code errors}.
     */
    public static String text(JsonNode frame, String field, List<FieldError> errors) {
        JsonNode node = frame.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return node.textValue();
    }

    static byte[] bytes(ObjectMapper json, Object frame) {
        try {
            return json.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(ObjectMapper json, Object frame) {
        try {
            return json.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
