package io.slackir.chat.presence;

import java.time.Instant;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One member of a room: everyone who speaks as that name, on any node. */
@RegisterForReflection
public record PresenceEntry(String name, int connections, Instant since) {
}
