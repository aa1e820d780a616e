package io.slackir.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.slackir.chat.presence.PresenceEntry;

/** Who is in a room now. */
@RegisterForReflection
@Schema(description = "Who is in a room now, on every node")
public record Presence(
        String room,
        @Schema(description = "By name: how many connections speak as it, and since when the earliest is here")
        List<PresenceEntry> members,
        @Schema(description = "Connections that gave no name")
        int unnamed,
        @Schema(description = "How many members")
        int count,
        @Schema(description = "Connections in all, named or not")
        int connections) {
}
