package io.slackir.chat.presence;

import io.slackir.chat.protocol.Ephemeral;

/** Who came and went in a room over the last short window, as this node tells its own connections. */
public record PresenceChange(String room, PresenceDiffFrame frame) implements Ephemeral {

    @Override
    public String type() {
        return PresenceDiffFrame.TYPE;
    }

    @Override
    public Reach reach() {
        return Reach.HERE;
    }
}
