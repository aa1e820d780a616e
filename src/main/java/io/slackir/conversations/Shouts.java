package io.slackir.conversations;

import java.util.List;

import io.slackir.chat.Shout;

/**
 * Accepted shouts written together, in one transaction: the payload of the event {@link ShoutPersister} observes.
 *
 * @param written whether any of them was written before (a retry, or one alone after its batch failed): only then may
 *        some be stored already, and the persister looks them up
 */
public record Shouts(List<Shout> shouts, boolean written) {

    public Shouts {
        shouts = List.copyOf(shouts);
    }
}
