package io.slackir.chat.protocol;

import java.util.List;

/** A shout, frame or request that was not accepted: why, in the words of protocol v1's {@code error} frame. */
public class Refusal extends RuntimeException {

    private final ErrorCode code;
    private final List<FieldError> errors;

    public Refusal(ErrorCode code, String message) {
        this(code, message, null);
    }

    public Refusal(ErrorCode code, String message, List<FieldError> errors) {
        // No stack trace: a refusal is an answer to the client, not a fault of the service
        super(message, null, false, false);
        this.code = code;
        this.errors = errors;
    }

    public ErrorCode code() {
        return code;
    }

    /** Each invalid field with what is wrong with it, or null when the refusal is not about fields. */
    public List<FieldError> errors() {
        return errors;
    }
}
