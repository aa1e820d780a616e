package io.slackir.chat;

/** Someone in the room is typing: the others see it for a few seconds. {@code from} is the typing connection. */
record Typing(String room, String name, String from) implements Ephemeral {

    static final String TYPE = "typing";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Frames.TypingFrame frame() {
        return new Frames.TypingFrame(TYPE, name);
    }

    @Override
    public String except() {
        return from;
    }
}
