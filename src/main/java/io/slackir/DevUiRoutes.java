package io.slackir;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.profile.IfBuildProfile;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/**
 * Dev mode only (the bean does not exist in a packaged application): serves the Dev UI's Endpoints → Routes table in
 * place of Quarkus 3.36.1's own, which fails with an ERROR and a stack trace on every Quarkus application.
 * <p>
 * Quarkus 3.36.1 reads each route's fields by cutting {@code RouteImpl.toString()} between its last '{' and its first
 * '}'. The route that mounts the non-application router ({@code /q/}) prints that router's routes inside itself, so
 * its last '{' comes after its first '}' and {@code substring} throws (a {@code StringIndexOutOfBoundsException}
 * logged by {@code QuarkusErrorHandler}, and an empty page). Newer Quarkus reads the routes through their API; this
 * does the same for the fields the page shows (path, order, handlers), in the shape the page reads. Remove it with the
 * move to a Quarkus that has the fix.
 */
@ApplicationScoped
@IfBuildProfile("dev")
public class DevUiRoutes {

    private static final Pattern ORDER = Pattern.compile(", order=(-?\\d+)");

    private static final Pattern CONTEXT_HANDLERS = Pattern.compile(", contextHandlers=(null|\\[[^\\]]*\\])");

    private static final Pattern FAILURE_HANDLERS = Pattern.compile(", failureHandlers=(null|\\[[^\\]]*\\])");

    void serve(@Observes Router router,
            @ConfigProperty(name = "quarkus.http.non-application-root-path") String nonApplicationRoot) {
        String root = "/" + nonApplicationRoot.replaceAll("^/+|/+$", "");
        // Before the non-application router's mount, which would hand the request to Quarkus' own
        router.get(root + "/dev-ui/endpoints/routes.json").order(Integer.MIN_VALUE)
                .handler(context -> context.response().putHeader("Content-Type", "application/json")
                        .end(Json.encodePrettily(routes(router))));
    }

    /** Every route of the router, each as the Dev UI's Routes page reads it: its fields as strings. */
    static JsonArray routes(Router router) {
        JsonArray routes = new JsonArray();
        for (Route route : router.getRoutes()) {
            // A route's own fields come before the router it mounts, if any
            String state = route.toString().split(", subRouter=", 2)[0];
            routes.add(new JsonObject()
                    .put("path", route.getPath() == null ? "null" : "'" + route.getPath() + "'")
                    .put("name", String.valueOf(route.getName()))
                    .put("order", field(ORDER, state))
                    .put("contextHandlers", field(CONTEXT_HANDLERS, state))
                    .put("failureHandlers", field(FAILURE_HANDLERS, state)));
        }
        return routes;
    }

    private static String field(Pattern pattern, String state) {
        Matcher matcher = pattern.matcher(state);
        return matcher.find() ? matcher.group(1) : "null";
    }
}
