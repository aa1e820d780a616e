package io.slackir.chat.protocol;

/**
 * Something that happens in a room and reaches every connection in it, on this node and on the others: the one seam
 * every kind of room event goes through. Each is serialized once, for all its receivers here and elsewhere. What a
 * room does with it beyond delivering it is its kind's rule: a {@link Shout} is remembered (history, reconnects),
 * stored and acked; an {@link Ephemeral} event is none of these.
 */
public interface RoomEvent {

    /** The room it happens in. */
    String room();

    /** Its frame's {@code type}: what it is on the wire, and in the envelope it crosses to other nodes in. */
    String type();

    /** The frame its receivers get, as Jackson writes it. */
    Object frame();
}
