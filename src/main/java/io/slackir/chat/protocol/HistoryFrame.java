package io.slackir.chat.protocol;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Sent to a connection right after it joins.
 *
 * @param messages oldest first
 * @param complete true when {@code messages} holds every shout of the room: there is nothing older to page
 */
@RegisterForReflection
public record HistoryFrame(String type, List<Shout> messages, boolean complete) {
    public HistoryFrame(List<Shout> messages, boolean complete) {
        this("history", messages, complete);
    }
}
