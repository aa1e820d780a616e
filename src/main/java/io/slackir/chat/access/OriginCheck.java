package io.slackir.chat.access;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.slackir.SlackirConfig;
import io.smallrye.mutiny.Uni;

/**
 * Refuses, with 403 at the handshake, a socket opened by a page of another site (cross-site WebSocket hijacking): a
 * browser's {@code Origin} must be this service's own (the {@code Host} asked) or in
 * {@code slackir.origins.allowed}. A handshake without an {@code Origin} comes from no browser: allowed unless
 * {@code slackir.origins.required}. Every endpoint is checked: the chat socket is the only one.
 */
@ApplicationScoped
public class OriginCheck implements HttpUpgradeCheck {

    private final List<String> allowed;
    private final boolean required;

    OriginCheck(SlackirConfig config) {
        this.allowed = config.origins().allowed().orElse(List.of()).stream()
                .map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.required = config.origins().required();
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        boolean permitted = origin == null
                ? !required
                : allowed.contains(origin.toLowerCase(Locale.ROOT))
                        || sameOrigin(origin, context.httpRequest().getHeader("Host"));
        return permitted ? CheckResult.permitUpgrade() : CheckResult.rejectUpgrade(403);
    }

    /** The origin names the host and port this request was sent to ({@code null} origins never do). */
    static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                return false;
            }
            String authority = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority.equalsIgnoreCase(host) || withDefaultPort(uri).equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** "http://example.com" also matches a Host of "example.com:80". */
    private static String withDefaultPort(URI uri) {
        return uri.getHost() + ":" + ("https".equals(uri.getScheme()) ? 443 : 80);
    }
}
