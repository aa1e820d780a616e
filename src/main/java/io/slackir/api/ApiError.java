package io.slackir.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.slackir.chat.protocol.FieldError;

/**
 * The body of every error of the HTTP API: the same {@code code}, {@code message} and {@code errors} as the socket's
 * {@code error} frame.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "What went wrong, as the socket's error frame says it")
public record ApiError(
        @Schema(description = "invalid, malformed, not_found, too_large, unsupported_media_type, "
                + "method_not_allowed, not_acceptable, unauthorized, forbidden, unavailable, internal_error",
                examples = "invalid")
        String code,
        @Schema(examples = "the shout is invalid")
        String message,
        @Schema(description = "Each invalid field, for `invalid`", nullable = true)
        List<FieldError> errors) {

    public ApiError(String code, String message) {
        this(code, message, null);
    }
}
