package io.slackir.chat.protocol;

/** Someone in the room is typing: the others see it for a few seconds. {@code from} is the typing connection. */
public record Typing(String room, String name, String from) implements Ephemeral {

    public static final String TYPE = "typing";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public TypingFrame frame() {
        return new TypingFrame(TYPE, name);
    }

    @Override
    public String except() {
        return from;
    }
}
