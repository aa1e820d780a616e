package io.slackir.chat;

/** Who came and went in a room over the last short window, as this node tells its own connections. */
record PresenceChange(String room, Frames.PresenceDiff frame) implements Ephemeral {

    @Override
    public String type() {
        return Frames.PresenceDiff.TYPE;
    }

    @Override
    public Reach reach() {
        return Reach.HERE;
    }
}
