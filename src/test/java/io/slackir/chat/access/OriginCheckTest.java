package io.slackir.chat.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.websockets.next.HttpUpgradeCheck.CheckResult;
import io.quarkus.websockets.next.HttpUpgradeCheck.HttpUpgradeContext;
import io.slackir.SlackirConfig;
import io.vertx.core.http.HttpServerRequest;

/**
 * The handshake's origin rule, with and without {@code slackir.origins.required}: a browser's page of another site is
 * refused (403), the service's own and the listed origins are let in, and a client without an {@code Origin} (no
 * browser) is let in unless origins are required. {@code AbuseTest} checks the same against a running service.
 */
class OriginCheckTest {

    private static final String HOST = "chat.example.com:8080";

    /** The status of a handshake to {@link #HOST} with this {@code Origin} (null: none): 101 when let in. */
    private static int handshake(boolean required, String origin) {
        SlackirConfig.Origins origins = proxy(SlackirConfig.Origins.class, Map.of(
                "allowed", Optional.of(List.of("https://Friend.example")), "required", required));
        OriginCheck check = new OriginCheck(proxy(SlackirConfig.class, Map.of("origins", origins)));
        Map<String, Object> headers = new HashMap<>();
        headers.put("Host", HOST);
        headers.put("Origin", origin);
        HttpServerRequest request = (HttpServerRequest) Proxy.newProxyInstance(OriginCheckTest.class.getClassLoader(),
                new Class<?>[] {HttpServerRequest.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("getHeader") || !(args[0] instanceof String name)) {
                        throw new UnsupportedOperationException(method.toString());
                    }
                    return headers.get(name);
                });
        HttpUpgradeContext context = proxy(HttpUpgradeContext.class, Map.of("httpRequest", request));
        CheckResult result = check.perform(context).await().indefinitely();
        return result.isUpgradePermitted() ? 101 : result.getHttpResponseCode();
    }

    /** An interface whose methods answer from {@code answers}, by name. */
    private static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return type.cast(Proxy.newProxyInstance(OriginCheckTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (!answers.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.toString());
                    }
                    return answers.get(method.getName());
                }));
    }

    @Test
    void aPageOfAnotherSiteIsRefusedAndTheServicesOwnAndTheListedOnesLetIn() {
        for (boolean required : List.of(false, true)) {
            assertEquals(403, handshake(required, "https://evil.example"));
            assertEquals(403, handshake(required, "http://chat.example.com:1"), "another port is another origin");
            assertEquals(403, handshake(required, "null"), "a sandboxed page or a file");
            assertEquals(101, handshake(required, "http://" + HOST), "its own origin");
            assertEquals(101, handshake(required, "http://CHAT.example.com:8080"), "host names ignore case");
            assertEquals(101, handshake(required, "https://friend.example"), "listed in slackir.origins.allowed");
        }
    }

    @Test
    void aHandshakeWithoutOriginIsLetInUnlessOriginsAreRequired() {
        assertEquals(101, handshake(false, null), "no Origin: not a browser");
        assertEquals(403, handshake(true, null), "slackir.origins.required: browsers only");
    }
}
