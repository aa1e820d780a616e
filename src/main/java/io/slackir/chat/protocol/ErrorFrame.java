package io.slackir.chat.protocol;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Tells a sender that its frame was refused, or that its shout could not be stored ({@code id}). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorFrame(String type, ErrorCode code, String message, String ref, UUID id, List<FieldError> errors) {
    public static ErrorFrame of(Refusal refused, String ref) {
        return new ErrorFrame("error", refused.code(), refused.getMessage(), ref, null, refused.errors());
    }

    public static ErrorFrame notStored(UUID id, String ref) {
        return new ErrorFrame("error", ErrorCode.NOT_STORED, "the shout was broadcast but could not be stored", ref,
                id, null);
    }
}
