package io.slackir.chat.protocol;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One invalid field of a refused frame or request: the same on the socket's error frame and the HTTP API's errors. */
@RegisterForReflection
public record FieldError(String field, String message) {
}
