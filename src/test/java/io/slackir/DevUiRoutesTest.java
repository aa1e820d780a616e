package io.slackir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

/** The Dev UI's Routes table, for a router shaped as Quarkus shapes it: a mounted non-application router among routes. */
class DevUiRoutesTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aMountedRouterIsOneRowAndBreaksNothing() {
        Router router = Router.router(vertx);
        router.get("/api/rooms").order(3).handler(context -> context.end());
        Router nonApplication = Router.router(vertx);
        nonApplication.get("/metrics").handler(context -> context.end());
        nonApplication.get("/health").handler(context -> context.end());
        router.route("/q/*").order(4).subRouter(nonApplication);

        // What Quarkus 3.36.1 does with each route's text, and where it breaks
        Route mount = router.getRoutes().get(1);
        String text = mount.toString();
        assertThrows(StringIndexOutOfBoundsException.class,
                () -> text.substring(text.lastIndexOf("{") + 1, text.indexOf("}")));

        JsonArray routes = DevUiRoutes.routes(router);
        assertEquals(2, routes.size());
        JsonObject api = routes.getJsonObject(0);
        assertEquals("'/api/rooms'", api.getString("path"));
        assertEquals("3", api.getString("order"));
        assertEquals(List.of("io.slackir.DevUiRoutesTest"), List.of(api.getString("contextHandlers")
                .replaceAll("^\\[|\\$\\$Lambda.*$", "")), "the handler's class, as the page cuts it");
        assertEquals("null", api.getString("failureHandlers"));
        JsonObject q = routes.getJsonObject(1);
        assertEquals("'/q/'", q.getString("path"));
        assertEquals("4", q.getString("order"));
    }
}
