package io.slackir.api;

import java.util.Locale;

import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JacksonException;

import io.slackir.chat.protocol.Refusal;

/**
 * Every error of the HTTP API as an {@link ApiError} with a fitting status: a client gets JSON it can show, never a
 * stack trace.
 */
public class HttpErrors {

    private static final Logger LOG = Logger.getLogger(HttpErrors.class);

    /** The API documentation's 401, said once for every operation that needs the bearer. */
    static final String UNAUTHORIZED = "`unauthorized`, jwt mode only: no valid bearer token (missing, expired, or not "
            + "the identity provider's). Sign in again: `GET /api/session` says where.";
    /** The API documentation's 403 for an operation on a room. */
    static final String FORBIDDEN = "`forbidden`, jwt mode only: a private room (`slackir.rooms.private`) that the "
            + "token's groups do not name (`room:<room>`). Nothing of the room is said.";

    @ServerExceptionMapper
    RestResponse<ApiError> refused(Refusal refused) {
        int status = switch (refused.code()) {
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case OVERLOADED -> 503;
            default -> 400;
        };
        RestResponse<ApiError> response = error(status,
                new ApiError(refused.code().wire(), refused.getMessage(), refused.errors()));
        if (status == 401) {
            // The scheme a client must use (RFC 6750); nothing said of what was wrong with the token
            response.getHeaders().putSingle("WWW-Authenticate", "Bearer");
        }
        return response;
    }

    /** A body that is not JSON at all. */
    @ServerExceptionMapper
    RestResponse<ApiError> malformed(JacksonException e) {
        return error(400, notJson(e));
    }

    private static ApiError notJson(JacksonException e) {
        String where = e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return new ApiError("malformed", "the body is not valid JSON" + where);
    }

    /** What Quarkus REST refuses before a resource runs: unknown paths, wrong methods, media types. */
    @ServerExceptionMapper
    Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String code = switch (status) {
            case 400 -> "malformed";
            case 413 -> "too_large";
            default -> known == null ? "error" : known.name().toLowerCase(Locale.ROOT);
        };
        String message = switch (status) {
            case 400 -> "the request is malformed";
            case 404 -> "no such resource";
            case 405 -> "this method is not allowed here";
            case 406 -> "only application/json is produced";
            case 413 -> "the body is larger than any valid request";
            case 415 -> "the body must be application/json";
            default -> known == null ? "the request failed" : known.getReasonPhrase();
        };
        // Quarkus REST reports a body Jackson cannot parse as a 400 caused by the parser's exception
        ApiError body = e.getCause() instanceof JacksonException parse ? notJson(parse) : new ApiError(code, message);
        // Keeps the refusal's own headers
        return Response.fromResponse(e.getResponse()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    /** The database is down or too busy: the client may retry later. */
    @ServerExceptionMapper
    RestResponse<ApiError> unavailable(PersistenceException e) {
        LOG.warnf("The database could not answer a request: %s", e.toString());
        return error(503, new ApiError("unavailable", "the database is unavailable; try again shortly"));
    }

    /** A fault of the service: logged in full, answered without its details. */
    @ServerExceptionMapper
    RestResponse<ApiError> failed(RuntimeException e) {
        LOG.error("A request failed", e);
        return error(500, new ApiError("internal_error", "the service failed; the fault is logged"));
    }

    private static RestResponse<ApiError> error(int status, ApiError body) {
        return RestResponse.ResponseBuilder.<ApiError>create(status).entity(body)
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
