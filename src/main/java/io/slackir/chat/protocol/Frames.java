package io.slackir.chat.protocol;

import java.io.UncheckedIOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reading and writing the frames of protocol v1 (docs/protocol.md): each frame the server sends is a record of its
 * own ({@code *Frame}), serialized by Jackson.
 */
public final class Frames {

    private Frames() {
    }

    /**
     * A string field of a frame the server reads (a shout, over the socket or HTTP), or null when absent or null; a
     * field of another JSON type is added to {@code errors}.
     */
    public static String text(JsonNode frame, String field, List<FieldError> errors) {
        JsonNode node = frame.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return node.textValue();
    }

    public static byte[] bytes(ObjectMapper json, Object frame) {
        try {
            return json.writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(ObjectMapper json, Object frame) {
        try {
            return json.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
