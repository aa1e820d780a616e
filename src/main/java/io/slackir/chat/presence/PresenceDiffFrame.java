package io.slackir.chat.presence;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Who came and went in the room over a short window.
 *
 * @param joins new members, or members whose entry changed (a second tab): each replaces the client's entry
 * @param leaves names of members with no connection left
 */
@RegisterForReflection
public record PresenceDiffFrame(String type, List<PresenceEntry> joins, List<String> leaves, int unnamed) {
    public static final String TYPE = "presence_diff";

    public PresenceDiffFrame(List<PresenceEntry> joins, List<String> leaves, int unnamed) {
        this(TYPE, joins, leaves, unnamed);
    }
}
