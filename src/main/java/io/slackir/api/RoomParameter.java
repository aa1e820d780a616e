package io.slackir.api;

import java.util.List;
import java.util.regex.Pattern;

import io.slackir.chat.protocol.FieldError;
import io.slackir.conversations.Message;

/** The {@code {room}} of an API path: how the OpenAPI document describes it, and how a request's is checked. */
final class RoomParameter {

    /** Its description in the OpenAPI document. */
    static final String DESCRIPTION = "The room: " + Message.ROOM_RULE_WORDS;
    /** Its pattern in the OpenAPI document. */
    static final String PATTERN = "^" + Message.ROOM_RULE + "$";

    private static final Pattern RULE = Pattern.compile(Message.ROOM_RULE);

    private RoomParameter() {
    }

    /** Adds to {@code errors} what is wrong with the room, as the {@code room} constraint of a message says it. */
    static void check(String room, List<FieldError> errors) {
        if (room == null || !RULE.matcher(room).matches()) {
            errors.add(new FieldError("room", Message.ROOM_RULE_TEXT));
        }
    }
}
