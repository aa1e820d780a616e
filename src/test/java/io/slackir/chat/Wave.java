package io.slackir.chat;

import io.slackir.chat.protocol.Ephemeral;

/**
 * A room event of the tests' own, ephemeral like typing or presence will be: it shows what the seam promises any such
 * event (delivered to the room here and on other nodes, neither remembered, nor stored, nor acked).
 */
record Wave(String room, String name) implements Ephemeral {

    record Frame(String type, String room, String name) {
    }

    @Override
    public String type() {
        return "wave";
    }

    @Override
    public Frame frame() {
        return new Frame(type(), room, name);
    }
}
