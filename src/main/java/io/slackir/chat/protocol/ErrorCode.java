package io.slackir.chat.protocol;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The codes of protocol v1's {@code error} frame (docs/protocol.md). */
public enum ErrorCode {
    /** Not JSON, or not a JSON object. */
    MALFORMED,
    /** A {@code type} the protocol does not have, or none. */
    UNKNOWN_TYPE,
    /** Validation failed; {@code errors} names each field. */
    INVALID,
    /** The frame is over the size limit. */
    TOO_LARGE,
    /** The sender shouts faster than its rate limit. */
    RATE_LIMITED,
    /** The persistence backlog is full: the shout was not accepted. */
    OVERLOADED,
    /** The shout was broadcast but could not be stored. */
    NOT_STORED,
    /** HTTP in jwt mode: no valid bearer token (401). */
    UNAUTHORIZED,
    /** HTTP in jwt mode: a private room the caller's groups do not name (403). */
    FORBIDDEN;

    private final String wire = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String wire() {
        return wire;
    }
}
