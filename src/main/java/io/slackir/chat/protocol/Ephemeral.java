package io.slackir.chat.protocol;

/**
 * A room event for whoever is in the room now (who is here, who is typing): delivered at once like a shout, but never
 * remembered in the room's history, never stored and never acked. A connection that joins later does not get it.
 */
public interface Ephemeral extends RoomEvent {

    /** Where an ephemeral event goes. */
    enum Reach {
        /** The room's connections, here and on every other node (typing). */
        EVERYWHERE,
        /** The room's connections on this node only: each node makes its own (a presence diff). */
        HERE,
        /** The other nodes only, for them to act on; no connection gets it (a node's presence). */
        NODES
    }

    default Reach reach() {
        return Reach.EVERYWHERE;
    }

    /** The id of a connection that does not get it (its sender), or null. */
    default String except() {
        return null;
    }
}
