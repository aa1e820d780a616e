package io.slackir.chat.protocol;

/**
 * Who a connection speaks as: the key presence counts it under, and the name others see. Today both are the display
 * name the connection gave when it joined; once identity exists the key is the signed-in user and the name theirs.
 */
public record Speaker(String key, String name) {

    /** A speaker known only by the name it gave. */
    public static Speaker named(String name) {
        return new Speaker(name, name);
    }
}
