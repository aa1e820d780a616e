package io.slackir.chat.protocol;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Tells a sender that its shout is stored. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AckFrame(String type, UUID id, String ref) {
    public AckFrame(UUID id, String ref) {
        this("ack", id, ref);
    }
}
