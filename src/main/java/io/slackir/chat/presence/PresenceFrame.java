package io.slackir.chat.presence;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Who is in the room, sent right after the history.
 *
 * @param members by name
 * @param unnamed connections that gave no name
 */
@RegisterForReflection
public record PresenceFrame(String type, List<PresenceEntry> members, int unnamed) {
    public static final String TYPE = "presence";

    public PresenceFrame(List<PresenceEntry> members, int unnamed) {
        this(TYPE, members, unnamed);
    }

    /** Every connection: each member's, and the unnamed ones. Not in the frame: a client can add them up. */
    @JsonIgnore
    public int connections() {
        return unnamed + members.stream().mapToInt(PresenceEntry::connections).sum();
    }
}
