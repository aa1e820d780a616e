package io.slackir.chat.access;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.slackir.SlackirConfig;
import io.slackir.chat.protocol.ErrorCode;
import io.slackir.chat.protocol.Refusal;
import io.slackir.chat.protocol.Speaker;
import io.slackir.conversations.Message;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.vertx.core.http.HttpHeaders;

/**
 * Who may speak where ({@code slackir.auth.*}, {@code slackir.rooms.private}). In {@code open} mode everyone may, under
 * the name they give. In {@code jwt} mode a caller needs a valid bearer token, speaks under the name its claims give,
 * and enters a private room only with a {@code room:} group naming it. The same rules for the socket's handshake
 * ({@link AccessCheck}) and for every HTTP call.
 */
@ApplicationScoped
public class Access {

    private static final Logger LOG = Logger.getLogger(Access.class);

    /**
     * A signed-in caller: who they speak as, until when, and the private rooms their {@code room:} groups open (each a
     * pattern, compiled once per token).
     */
    public record SignedIn(Speaker speaker, Instant expires, List<Pattern> rooms) {

        public String name() {
            return speaker.name();
        }
    }

    /** Why a caller is turned away: the tag of {@code slackir.auth.refused}, and the log's word for it. */
    enum Reason {
        /** No bearer token at all. */
        MISSING(401),
        /** A token past its {@code exp}. */
        EXPIRED(401),
        /** A token not signed by the configured key: forged, or of another provider. */
        SIGNATURE(401),
        /** A token of another issuer. */
        ISSUER(401),
        /** A token for another audience. */
        AUDIENCE(401),
        /** Not a JWT, or one that fails another check. */
        INVALID(401),
        /** A valid token with no claim that makes a valid name. */
        NO_NAME(401),
        /** A private room the caller's groups do not name. */
        PRIVATE_ROOM(403);

        final int status;
        final String tag = name().toLowerCase(Locale.ROOT);

        Reason(int status) {
            this.status = status;
        }
    }

    /** The answer for one caller: let in (with who they are; null in open mode), or turned away and why. */
    record Decision(SignedIn signedIn, Reason refused) {

        boolean permitted() {
            return refused == null;
        }
    }

    private final boolean open;
    private final String signInUrl;
    private final List<String> nameClaims;
    private final String groupsClaim;
    private final List<Pattern> privateRooms;
    private final Validator validator;
    private final JWTParser parser;
    private final CurrentVertxRequest request;
    private final MeterRegistry registry;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    Access(SlackirConfig config, Validator validator, JWTParser parser, CurrentVertxRequest request,
            MeterRegistry registry) {
        this.open = config.auth().mode() == SlackirConfig.Auth.Mode.OPEN;
        this.signInUrl = config.auth().signInUrl().orElse(null);
        this.nameClaims = config.auth().nameClaims();
        this.groupsClaim = config.auth().groupsClaim();
        this.privateRooms = config.rooms().privateRooms().orElse(List.of()).stream().map(Access::glob).toList();
        this.validator = validator;
        this.parser = parser;
        this.request = request;
        this.registry = registry;
    }

    /** Whether anyone may connect and speak under the name they give: no token asked for. */
    public boolean open() {
        return open;
    }

    /** Where a signed-out user signs in (jwt mode), or null when the deployment did not say. */
    public String signInUrl() {
        return signInUrl;
    }

    /**
     * For the HTTP API, on a worker thread: the caller, in jwt mode (null in open mode), allowed into {@code room}
     * (null: no room in particular). Otherwise a {@link Refusal}: {@code unauthorized} (401) without a valid token,
     * {@code forbidden} (403) for a private room their groups do not name.
     */
    public SignedIn http(String room) {
        if (open) {
            return null;
        }
        Decision decision = decide(authorization(), room, "http");
        if (decision.permitted()) {
            return decision.signedIn();
        }
        throw decision.refused().status == 401
                ? new Refusal(ErrorCode.UNAUTHORIZED, "sign in: a valid bearer token is needed")
                : new Refusal(ErrorCode.FORBIDDEN, "this room is private: you may not enter it");
    }

    /**
     * For the HTTP API, on a worker thread: who the caller is if their token is valid, null otherwise (or in open
     * mode); never a refusal, and not counted as one.
     */
    public SignedIn whoever() {
        return open ? null : decide(authorization(), null, null).signedIn();
    }

    /** Whether a signed-in caller (null in open mode) may read and write {@code room}. */
    public boolean mayEnter(SignedIn caller, String room) {
        return open || !isPrivate(room) || caller != null && caller.rooms().stream()
                .anyMatch(pattern -> pattern.matcher(room).matches());
    }

    /** Whether {@code room} is private (jwt mode, {@code slackir.rooms.private}): its name is not shown to others. */
    public boolean isPrivate(String room) {
        return !open && privateRooms.stream().anyMatch(p -> p.matcher(room).matches());
    }

    /** The HTTP request's {@code Authorization} header. */
    private String authorization() {
        return request.getCurrent().request().getHeader(HttpHeaders.AUTHORIZATION);
    }

    /**
     * The decision for the bearer of an {@code Authorization} header, counted and logged (one line, never the token)
     * when it is a refusal on a {@code surface} ("socket", "http"). Blocking: the verifier may fetch the provider's
     * keys (JWKS).
     */
    Decision decide(String authorization, String room, String surface) {
        Decision decision = decide(authorization, room);
        if (!decision.permitted() && surface != null) {
            refused(decision.refused(), surface, room);
        }
        return decision;
    }

    private Decision decide(String authorization, String room) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            return new Decision(null, Reason.MISSING);
        }
        JsonWebToken token;
        try {
            token = parser.parse(authorization.substring(7).strip());
        } catch (ParseException e) {
            return new Decision(null, reason(e));
        }
        // Strictly at exp, without the verifier's clock skew: the socket is closed then, and must not get back in
        Instant expires = Instant.ofEpochSecond(token.getExpirationTime());
        if (!expires.isAfter(Instant.now())) {
            return new Decision(null, Reason.EXPIRED);
        }
        String name = name(token);
        if (name == null) {
            return new Decision(null, Reason.NO_NAME);
        }
        SignedIn caller = new SignedIn(Speaker.named(name), expires, rooms(token));
        if (room != null && !mayEnter(caller, room)) {
            return new Decision(null, Reason.PRIVATE_ROOM);
        }
        return new Decision(caller, null);
    }

    /** The first name claim whose value is a valid name, trimmed. */
    private String name(JsonWebToken token) {
        for (String claim : nameClaims) {
            if (token.getClaim(claim) instanceof Object value) {
                String name = unquoted(value).strip();
                if (validator.validateValue(Message.class, "name", name).isEmpty()) {
                    return name;
                }
            }
        }
        return null;
    }

    /** The rooms the group claim's {@code room:NAME} entries open, as patterns. */
    private List<Pattern> rooms(JsonWebToken token) {
        Object claim = token.getClaim(groupsClaim);
        Stream<?> groups = claim instanceof Collection<?> values ? values.stream()
                : claim instanceof jakarta.json.JsonArray array ? array.stream()
                : claim == null ? Stream.empty() : Stream.of(claim);
        return groups.map(Access::unquoted).filter(group -> group.startsWith("room:"))
                .map(group -> glob(group.substring(5))).toList();
    }

    /** JSON-P string values print with their quotes. */
    private static String unquoted(Object value) {
        String text = value.toString();
        return text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")
                ? text.substring(1, text.length() - 1)
                : text;
    }

    /** What the verifier's failure says of the token, for the metric and the log (never to the caller). */
    private static Reason reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid) {
                if (invalid.hasExpired()) {
                    return Reason.EXPIRED;
                }
                if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                    return Reason.SIGNATURE;
                }
                if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID)
                        || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
                    return Reason.ISSUER;
                }
                if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID)
                        || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
                    return Reason.AUDIENCE;
                }
                return Reason.INVALID;
            }
        }
        return Reason.INVALID;
    }

    private void refused(Reason reason, String surface, String room) {
        refusals.computeIfAbsent(surface + reason.tag, k -> Counter.builder("slackir.auth.refused")
                .description("Callers turned away in jwt mode, by reason: at the socket's handshake or over HTTP")
                .tag("reason", reason.tag).tag("surface", surface).register(registry)).increment();
        LOG.infof("Refused %s%s: %s (%d)", surface, room == null ? "" : " to room " + room, reason.tag, reason.status);
    }

    /** A room name, or a prefix ending with '*'. */
    private static Pattern glob(String pattern) {
        return pattern.endsWith("*")
                ? Pattern.compile(Pattern.quote(pattern.substring(0, pattern.length() - 1)) + ".*")
                : Pattern.compile(Pattern.quote(pattern));
    }
}
