package io.slackir.conversations;

import java.util.List;

import io.slackir.chat.Shout;

/** Accepted shouts written together, in one transaction: the payload of the event {@link ShoutPersister} observes. */
public record Shouts(List<Shout> shouts) {

    public Shouts {
        shouts = List.copyOf(shouts);
    }
}
