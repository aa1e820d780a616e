package io.slackir.api;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** How this service lets people in, and who the caller is: what a client needs before it connects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Session(
        @Schema(description = "`open`: no token, every client names itself; `jwt`: a bearer token is needed",
                enumeration = { "open", "jwt" }) String mode,
        @Schema(description = "jwt mode: where to sign in (the identity provider's authorization URL); the client adds "
                + "`redirect_uri` and comes back with `#access_token=...`") String signInUrl,
        @Schema(description = "jwt mode, with a valid token: the name the caller speaks under") String name,
        @Schema(description = "jwt mode, with a valid token: when it expires (the socket closes then, with 4401)")
        Instant expiresAt,
        @Schema(description = "Only when the service runs from its sources (dev mode, tests) in jwt mode without "
                + "`signInUrl`: the command, run in the project's directory, that mints a token this service takes "
                + "and prints a link that signs the page in") String devSignIn) {
}
