package io.slackir.chat.protocol;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Broadcast to every connection of the room when a shout is accepted. */
@RegisterForReflection
public record ShoutFrame(String type, UUID id, String room, String name, String message, Instant insertedAt) {
}
