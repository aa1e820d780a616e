package io.slackir.chat;

import static io.restassured.RestAssured.given;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an operator reads at {@code /q/metrics}: the tests see the service's counters and gauges only from there. */
public final class Metrics {

    private Metrics() {
    }

    /**
     * The value of one series in the Prometheus text, e.g. {@code slackir_shouts_refused_total{code="invalid"}}; 0
     * when it has not been written yet (or is gone, as a closed room's gauge).
     */
    public static double metric(String series) {
        String text = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** The connections of a room, as its {@code slackir.room.connections} gauge counts them: 0 once it closed. */
    public static long connectionsIn(String room) {
        return (long) metric("slackir_room_connections{room=\"" + room + "\"}");
    }
}
