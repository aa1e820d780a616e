package io.slackir.chat.access;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;

/**
 * In jwt mode, the socket's handshake needs a valid bearer token (the {@code Authorization} header, or the
 * {@code bearer-token-carrier} subprotocol for browsers): otherwise 401, and 403 for a private room the token's groups
 * do not name. Nothing else is said. Who the caller is goes on with the connection ({@link #SIGNED_IN}). Every
 * endpoint is checked: the chat socket is the only one.
 */
@ApplicationScoped
public class AccessCheck implements HttpUpgradeCheck {

    /** The signed-in caller of a connection, as its handshake found them (jwt mode). */
    public static final UserData.TypedKey<Access.SignedIn> SIGNED_IN = new UserData.TypedKey<>("slackir.signed-in");

    private static final Map<String, List<String>> BEARER = Map.of("WWW-Authenticate", List.of("Bearer"));

    private final Access access;

    AccessCheck(Access access) {
        this.access = access;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (access.open()) {
            return CheckResult.permitUpgrade();
        }
        String authorization = context.httpRequest().getHeader(HttpHeaders.AUTHORIZATION);
        String room = context.pathParam("room");
        // Off the event loop: verifying may fetch the identity provider's keys. The answer comes back on the request's
        // own event loop, where websockets-next upgrades and sets its handlers: from a worker, a client that closes
        // at once after the 101 could close before them ("WebSocket is closed", uncaught by Vert.x)
        Context requestContext = Vertx.currentContext();
        return Uni.createFrom().item(() -> access.decide(authorization, room, "socket"))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .emitOn(task -> requestContext.runOnContext(ignored -> task.run())).map(decision -> {
            if (decision.permitted()) {
                context.userData().put(SIGNED_IN, decision.signedIn());
                return CheckResult.permitUpgradeSync();
            }
            return decision.refused().status == 401 ? CheckResult.rejectUpgradeSync(401, BEARER)
                    : CheckResult.rejectUpgradeSync(403);
        });
    }
}
