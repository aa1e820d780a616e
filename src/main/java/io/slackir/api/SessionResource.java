package io.slackir.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.LaunchMode;
import io.slackir.chat.access.Access;

/**
 * What a client asks first: whether it needs a token and where to get one, and, with one, who it is. Always answers:
 * a missing or bad token is not refused here, it is simply not signed in. Declares the bearer scheme that the other
 * resources require ({@link #BEARER}).
 */
@Path("/api/session")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Session", description = "How to sign in, and who the caller is")
@SecurityScheme(securitySchemeName = SessionResource.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        bearerFormat = "JWT", description = "Only in jwt mode (`GET /api/session` says the mode): "
                + "`Authorization: Bearer <token>`, a JWT of the deployment's identity provider; without a valid one, "
                + "401 `unauthorized` with `WWW-Authenticate: Bearer`. The socket takes it in the same header, or in "
                + "the `bearer-token-carrier` subprotocol. In open mode no token is asked for and any is ignored.")
public class SessionResource {

    /** The name of the security scheme that the resources of the API require in jwt mode. */
    static final String BEARER = "bearer";

    /** What mints a token in dev mode (dev/Token.java): it links to port 8080 unless told another. */
    private static final String DEV_TOKEN = "java dev/Token.java NAME";
    private static final int DEV_TOKEN_PORT = 8080;

    private final Access access;

    SessionResource(Access access) {
        this.access = access;
    }

    @GET
    @Operation(summary = "The sign-in mode, and who the caller is",
            description = "Needs no token. In jwt mode, `name` and `expiresAt` say who a valid bearer token signs in; "
                    + "without one (or with an invalid one) they are absent.")
    @APIResponse(responseCode = "200", description = "The mode, and the caller if signed in",
            content = @Content(schema = @Schema(implementation = Session.class)))
    public Session session(@Context UriInfo uri) {
        if (access.open()) {
            return new Session("open", null, null, null, null);
        }
        Access.SignedIn caller = access.whoever();
        return new Session("jwt", access.signInUrl(), caller == null ? null : caller.name(),
                caller == null ? null : caller.expires(), devSignIn(uri.getBaseUri().getPort()));
    }

    /**
     * How a developer signs in where there is no sign-in to send them to: run from the sources, Slackir trusts the key
     * pair that dev/Token.java signs with (pom.xml gives it to ./mvnw quarkus:dev, the jwt tests to themselves). A
     * packaged service has neither that key nor the script, and says nothing of them.
     */
    private String devSignIn(int port) {
        if (!LaunchMode.current().isDevOrTest() || access.signInUrl() != null) {
            return null;
        }
        return port <= 0 || port == DEV_TOKEN_PORT ? DEV_TOKEN : DEV_TOKEN + " --port " + port;
    }
}
