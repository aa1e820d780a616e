package io.slackir.chat.protocol;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Someone in the room is typing. */
@RegisterForReflection
public record TypingFrame(String type, String name) {
}
