package io.slackir.chat;

/**
 * The names of the settings that the tests and their profiles set, each written once: renaming a setting in the
 * service is a one-line change here.
 */
public final class Settings {

    public static final String RATE = "slackir.limits.rate";
    public static final String BURST = "slackir.limits.burst";
    public static final String FLOOD_STRIKES = "slackir.limits.flood-strikes";
    public static final String SEND_BUFFER = "slackir.limits.send-buffer";
    public static final String IDLE_TIMEOUT = "slackir.limits.idle-timeout";
    public static final String ALLOWED_ORIGINS = "slackir.origins.allowed";
    public static final String WRITER = "slackir.delivery.writer";
    public static final String AUTO_PING_INTERVAL = "quarkus.websockets-next.server.auto-ping-interval";

    private Settings() {
    }
}
