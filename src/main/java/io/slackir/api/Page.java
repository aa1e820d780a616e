package io.slackir.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.slackir.chat.protocol.Shout;

/**
 * A page of a room's stored shouts, oldest first.
 *
 * @param complete true when no older shout is stored: this is the first page of the room
 * @param next the path of the next older page, or null when {@code complete}
 */
@RegisterForReflection
@Schema(description = "A page of a room's stored shouts, oldest first")
public record Page(
        @Schema(description = "Oldest first, ending just before the page's `before` (the newest when absent)")
        List<Shout> messages,
        @Schema(description = "True when no older shout is stored: there is no next page")
        boolean complete,
        @Schema(description = "The path of the next older page (its `before` is the oldest id here); null when "
                + "complete", nullable = true,
                examples = "/api/rooms/lobby/messages?before=019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6071&limit=50")
        String next) {
}
