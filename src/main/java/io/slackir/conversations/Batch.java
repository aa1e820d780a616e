package io.slackir.conversations;

import java.util.List;

/**
 * Messages written together, in one transaction: the payload of the event {@link MessagePersister} observes, once per
 * attempt.
 *
 * @param mayBeStored whether some of them may be stored already, because they were in a write before (a retry, or one
 *        written alone after its batch failed): only then does the persister look for their rows first
 */
public record Batch(List<Message> messages, boolean mayBeStored) {

    public Batch {
        messages = List.copyOf(messages);
    }
}
