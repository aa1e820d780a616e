package io.slackir.chat;

/**
 * A room event for whoever is in the room now (who is here, who is typing): delivered at once like a shout, to the
 * room's connections here and on other nodes, but never remembered in the room's history, never stored and never
 * acked. A connection that joins later does not get it.
 */
public non-sealed interface Ephemeral extends RoomEvent {
}
