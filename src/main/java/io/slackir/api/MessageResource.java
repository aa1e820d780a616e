package io.slackir.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.media.SchemaProperty;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import io.slackir.chat.Megaphone;
import io.slackir.chat.access.Access;
import io.slackir.chat.protocol.ErrorCode;
import io.slackir.chat.protocol.FieldError;
import io.slackir.chat.protocol.Frames;
import io.slackir.chat.protocol.Refusal;
import io.slackir.chat.protocol.Shout;
import io.slackir.conversations.Message;

/**
 * The HTTP API (docs/protocol.md): a room's stored shouts page by page, one stored shout, and shouting over HTTP through the
 * same {@link Megaphone} as the socket. Errors are {@link ApiError}s ({@link HttpErrors}).
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Messages", description = "A room's stored shouts, and shouting over HTTP")
// Every operation can answer these two: said once, for all of them
@APIResponse(responseCode = "400", description = "`invalid`: each field at fault (room, before, limit, id, name, "
        + "message) named in `errors`; `malformed`: a body that is not a JSON object",
        content = @Content(schema = @Schema(implementation = ApiError.class)))
@APIResponse(responseCode = "503", description = "`unavailable`: the database cannot be read; `overloaded` (a shout): "
        + "too many shouts wait to be stored, or the service is stopping, and nothing was broadcast. Retry shortly.",
        content = @Content(schema = @Schema(implementation = ApiError.class)))
// jwt mode: every operation needs the bearer, and can answer 401
@SecurityRequirement(name = SessionResource.BEARER)
@APIResponse(responseCode = "401", description = HttpErrors.UNAUTHORIZED,
        headers = @Header(name = "WWW-Authenticate", description = "`Bearer`",
                schema = @Schema(type = SchemaType.STRING)),
        content = @Content(schema = @Schema(implementation = ApiError.class)))
public class MessageResource {

    private final Megaphone megaphone;
    private final Access access;

    MessageResource(Megaphone megaphone, Access access) {
        this.megaphone = megaphone;
        this.access = access;
    }

    @GET
    @Path("/rooms/{room}/messages")
    @Operation(summary = "A page of a room's stored shouts",
            description = "Oldest first, ending just before `before` (the newest shouts when absent). Keyset paging: "
                    + "ask for the next older page with `before` = the oldest id of this one (or follow `next`). "
                    + "Shouts accepted but not stored yet are not here; the socket's history has them.")
    @APIResponse(responseCode = "200", description = "The page; `complete` when nothing older is stored",
            headers = @Header(name = "Link", description = "`<next>; rel=\"next\"` unless complete",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = Page.class)))
    @APIResponse(responseCode = "403", description = HttpErrors.FORBIDDEN,
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response page(
            @Parameter(description = RoomParameter.DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING, pattern = RoomParameter.PATTERN))
            @PathParam("room") String room,
            @Parameter(description = "A shout id: the page ends just before it. Absent: the newest shouts.",
                    schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @QueryParam("before") String before,
            @Parameter(description = "How many shouts, 1 to " + Message.PAGE_MAX,
                    schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "" + Message.PAGE_MAX,
                            defaultValue = "" + Message.PAGE_DEFAULT))
            @QueryParam("limit") String limit) {
        access.http(room);
        List<FieldError> errors = new ArrayList<>();
        RoomParameter.check(room, errors);
        UUID beforeId = before == null ? null : uuid("before", before, errors);
        int size = limit == null ? Message.PAGE_DEFAULT : limit(limit, errors);
        if (!errors.isEmpty()) {
            throw new Refusal(ErrorCode.INVALID, "the request is invalid", errors);
        }

        List<Shout> shouts = Message.page(room, null, beforeId, size + 1).stream().map(Shout::of).toList();
        boolean complete = shouts.size() <= size;
        if (!complete) {
            shouts = shouts.subList(1, shouts.size());
        }
        String next = complete ? null
                : "/api/rooms/" + room + "/messages?before=" + shouts.getFirst().id() + "&limit=" + size;
        Response.ResponseBuilder ok = Response.ok(new Page(shouts, complete, next));
        return complete ? ok.build() : ok.header("Link", "<" + next + ">; rel=\"next\"").build();
    }

    @GET
    @Path("/messages/{id}")
    @Operation(summary = "One stored shout",
            description = "A shout is here once stored: an accepted shout answers 404 until its write commits.")
    @APIResponse(responseCode = "200", description = "The shout",
            content = @Content(schema = @Schema(implementation = Shout.class)))
    @APIResponse(responseCode = "404", description = "`not_found`: no shout with this id is stored (in jwt mode, "
            + "nor one of a private room the caller may not enter: such a shout is as absent as one never stored)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response one(
            @Parameter(description = "The shout's id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
            @PathParam("id") String id) {
        Access.SignedIn caller = access.http(null);
        List<FieldError> errors = new ArrayList<>();
        UUID shoutId = uuid("id", id, errors);
        if (!errors.isEmpty()) {
            throw new Refusal(ErrorCode.INVALID, "the request is invalid", errors);
        }
        Message message = Message.findById(shoutId);
        // A shout of a room the caller may not enter is not theirs to see, nor to know of
        if (message == null || !access.mayEnter(caller, message.room)) {
            return Response.status(Response.Status.NOT_FOUND)
                    .entity(new ApiError("not_found", "no shout " + shoutId + " is stored"))
                    .build();
        }
        return Response.ok(Shout.of(message)).build();
    }

    @POST
    @Path("/rooms/{room}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Shout in a room",
            description = "The same validation, broadcast and persistence as a shout over the socket: every "
                    + "connection of the room receives it at once; it is stored asynchronously.")
    @RequestBody(required = true, content = @Content(schema = @Schema(type = SchemaType.OBJECT,
            requiredProperties = { "name", "message" },
            properties = {
                    @SchemaProperty(name = "name", type = SchemaType.STRING, minLength = 1, maxLength = Message.NAME_MAX,
                            description = "Trimmed; no control characters"),
                    @SchemaProperty(name = "message", type = SchemaType.STRING, minLength = 1,
                            maxLength = Message.MESSAGE_MAX,
                            description = "Trimmed; no control characters but newline and tab") })))
    @APIResponse(responseCode = "202", description = "Accepted and broadcast; stored shortly after",
            headers = @Header(name = "Location", description = "The shout's URL, `/api/messages/{id}`",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(schema = @Schema(implementation = Shout.class)))
    @APIResponse(responseCode = "403", description = HttpErrors.FORBIDDEN,
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than any valid shout",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "415", description = "The body is not `application/json`",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response shout(
            @Parameter(description = RoomParameter.DESCRIPTION,
                    schema = @Schema(type = SchemaType.STRING, pattern = RoomParameter.PATTERN))
            @PathParam("room") String room,
            JsonNode body) {
        Access.SignedIn caller = access.http(room);
        Shout shout;
        try {
            if (body == null || !body.isObject()) {
                throw new Refusal(ErrorCode.MALFORMED, "the body is not a JSON object");
            }
            List<FieldError> errors = new ArrayList<>();
            // Signed in (jwt mode), the token names the speaker: a name in the body is ignored
            String name = caller != null ? caller.name() : Frames.text(body, "name", errors);
            String message = Frames.text(body, "message", errors);
            if (!errors.isEmpty()) {
                throw new Refusal(ErrorCode.INVALID, "the shout is invalid", errors);
            }
            shout = megaphone.shout(room, name, message).shout();
        } catch (Refusal refused) {
            megaphone.refused(refused);
            throw refused;
        }
        return Response.accepted(shout).location(URI.create("/api/messages/" + shout.id())).build();
    }

    private static UUID uuid(String field, String text, List<FieldError> errors) {
        UUID id = Shout.id(text);
        if (id == null) {
            errors.add(new FieldError(field, "must be a UUID"));
        }
        return id;
    }

    private static int limit(String text, List<FieldError> errors) {
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= Message.PAGE_MAX) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // Reported below, as for a number out of range
        }
        errors.add(new FieldError("limit", "must be a whole number from 1 to " + Message.PAGE_MAX));
        return 0;
    }
}
