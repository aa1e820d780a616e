package io.slackir.api;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.slackir.chat.Rooms;
import io.slackir.chat.access.Access;
import io.slackir.chat.presence.PresenceFrame;
import io.slackir.chat.protocol.ErrorCode;
import io.slackir.chat.protocol.FieldError;
import io.slackir.chat.protocol.Refusal;

/** Who is in a room now, over HTTP: what the socket's {@code presence} frame says, with the counts. */
@Path("/api/rooms/{room}/presence")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Presence", description = "Who is in a room now")
@SecurityRequirement(name = SessionResource.BEARER)
public class PresenceResource {

    private final Rooms rooms;
    private final Access access;

    PresenceResource(Rooms rooms, Access access) {
        this.rooms = rooms;
        this.access = access;
    }

    @GET
    @Operation(summary = "Who is in a room",
            description = "Its members by name (every connection that gave that name, on every node), the "
                    + "connections that gave none, and the counts. Nothing of presence is stored: an empty room has "
                    + "no members.")
    @APIResponse(responseCode = "200", description = "Who is here",
            content = @Content(schema = @Schema(implementation = Presence.class)))
    @APIResponse(responseCode = "400", description = "`invalid`: the room is named in `errors`",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "401", description = HttpErrors.UNAUTHORIZED,
            headers = @Header(name = "WWW-Authenticate", description = "`Bearer`",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "403", description = HttpErrors.FORBIDDEN,
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Presence presence(
            @Parameter(description = RoomParameter.DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING, pattern = RoomParameter.PATTERN))
            @PathParam("room") String name) {
        access.http(name);
        List<FieldError> errors = new ArrayList<>();
        RoomParameter.check(name, errors);
        if (!errors.isEmpty()) {
            throw new Refusal(ErrorCode.INVALID, "the request is invalid", errors);
        }
        PresenceFrame now = rooms.presence(name);
        return new Presence(name, now.members(), now.unnamed(), now.members().size(), now.connections());
    }
}
