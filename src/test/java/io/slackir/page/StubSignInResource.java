package io.slackir.page;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.slackir.chat.Tokens;

/**
 * Test only: the deployment's sign-in as the page's tests need it, an identity provider with a live session that
 * answers an implicit-flow request at once, with a token ({@link Tokens}) for whoever the test chose:
 * {@code 303 redirect_uri#access_token=...&token_type=Bearer&expires_in=...&state=...}.
 */
@Path("/test-sign-in")
public class StubSignInResource {

    /** Who the next sign-ins sign in, and their groups. */
    static volatile String user = "ada";
    static volatile String[] groups = {};
    /** The lifetime of the next token only; the others last an hour. */
    static final AtomicReference<Duration> NEXT_LIFETIME = new AtomicReference<>();
    /** Each sign-in's query, in order. */
    static final List<Map<String, String>> VISITS = new CopyOnWriteArrayList<>();
    /** The tokens handed out, in order. */
    static final List<String> TOKENS = new CopyOnWriteArrayList<>();

    static void reset() {
        user = "ada";
        groups = new String[0];
        NEXT_LIFETIME.set(null);
        VISITS.clear();
        TOKENS.clear();
    }

    @GET
    @Operation(hidden = true)
    public Response signIn(@Context UriInfo uri) {
        Map<String, String> query = uri.getQueryParameters().entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getFirst()));
        VISITS.add(query);
        String redirect = query.get("redirect_uri");
        if (redirect == null || !"token".equals(query.get("response_type"))) {
            return Response.status(Response.Status.BAD_REQUEST).build();
        }
        Duration lifetime = NEXT_LIFETIME.getAndSet(null);
        String token = lifetime == null ? Tokens.of(user, groups) : Tokens.expiringIn(lifetime, user, groups);
        TOKENS.add(token);
        String state = query.get("state");
        String fragment = "access_token=" + token + "&token_type=Bearer&expires_in="
                + (lifetime == null ? 3600 : lifetime.toSeconds())
                + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
        return Response.seeOther(URI.create(redirect + "#" + fragment)).build();
    }
}
