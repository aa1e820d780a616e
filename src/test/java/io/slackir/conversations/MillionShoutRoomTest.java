package io.slackir.conversations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * History stays an index walk on a room of a million shouts: the plan of the page query, and pages from its newest,
 * middle and oldest end over HTTP. The rows are written with SQL: a million shouts through the API would take minutes.
 * The timings are logged for the record, not asserted (the machines are noisy); the plan is asserted.
 */
@QuarkusTest
@Tag("end-to-end")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MillionShoutRoomTest {

    private static final Logger LOG = Logger.getLogger(MillionShoutRoomTest.class);
    private static final String ROOM = "million";
    private static final String NEIGHBOUR = "million-neighbour";
    private static final int ROWS = 1_000_000;
    private static final int NEIGHBOUR_ROWS = 10_000;
    private static final String BUSY = "million-busy";
    /** The statement Message.page runs, as Hibernate writes it for PostgreSQL (bound values written in). */
    private static final String PAGE_SQL = """
            select m1_0.id,m1_0.inserted_at,m1_0.message,m1_0.name,m1_0.room,m1_0.updated_at from messages m1_0 \
            where (m1_0.room,m1_0.id)>('%s','00000000-0000-0000-0000-000000000000') \
            and (m1_0.room,m1_0.id)<('%s','%s') \
            order by m1_0.room desc,m1_0.id desc fetch first 201 rows only""";
    private static final int BUSY_ROWS = 20_000;
    /** A page query reads a few index and heap pages; a scan of the room would read thousands. */
    private static final int PAGES_READ_MAX = 64;

    @Inject
    AgroalDataSource dataSource;

    /** The id of the {@code n}th shout of the big room (1-based): UUIDs in the order of n, as UUIDv7s are in time. */
    private static String id(int n) {
        return "01900000-0000-7000-8000-%012x".formatted(n * 16);
    }

    @BeforeAll
    void fillTheRooms() throws SQLException {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(fill(ROOM, ROWS, "'01900000-0000-7000-8000-' || lpad(to_hex(g * 16), 12, '0')"));
            // A small room whose ids are spread among the big one's: the index must separate rooms, not only ids
            s.execute(fill(NEIGHBOUR, NEIGHBOUR_ROWS, "'01900000-0000-7000-8000-' || lpad(to_hex(g * 1600 + 8), 12, '0')"));
            // A busy room whose shouts are all newer: walking the primary key backward would skip every one of them
            s.execute(fill(BUSY, BUSY_ROWS, "'01a00000-0000-7000-8000-' || lpad(to_hex(g), 12, '0')"));
            s.execute("analyze messages");
        }
        LOG.infof("Wrote %,d + %,d + %,d rows in %d ms", ROWS, NEIGHBOUR_ROWS, BUSY_ROWS,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static String fill(String room, int rows, String id) {
        return """
                insert into messages (id, room, name, message, inserted_at, updated_at)
                select (%s)::uuid, '%s', 'Ada', 'shout number ' || g, now() - (%d - g) * interval '1 millisecond', now()
                from generate_series(1, %d) g
                on conflict (id) do nothing
                """.formatted(id, room, rows, rows);
    }

    @AfterAll
    void emptyTheRooms() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("delete from messages where room in ('" + ROOM + "', '" + NEIGHBOUR + "', '" + BUSY + "')");
        }
    }

    private List<String> plan(String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("explain (analyze, buffers) " + sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        LOG.infof("Plan of %s%n  %s", sql, String.join("\n  ", lines));
        return lines;
    }

    @Test
    void pageQueriesEnterTheRoomIndexAtTheirPageReadingAFewPagesWithoutSortingOrScanningTheTable() throws SQLException {
        for (String room : List.of(ROOM, NEIGHBOUR, BUSY)) {
            for (String before : List.of("ffffffff-ffff-ffff-ffff-ffffffffffff", id(ROWS / 2), id(100))) {
                List<String> lines = plan(PAGE_SQL.formatted(room, room, before));
                String plan = String.join("\n", lines);
                assertThat(plan, containsString("Index Scan Backward using messages_room_id_idx on messages"));
                assertThat(plan, not(containsString("Filter")));
                assertThat(plan, not(containsString("Seq Scan")));
                assertThat(plan, not(containsString("Sort")));
                assertThat(pagesRead(lines.get(1)), lessThan(PAGES_READ_MAX));
            }
        }
    }

    /** The pages a plan node touched, from its line "Buffers: shared hit=8 read=2". */
    private static int pagesRead(String buffers) {
        Matcher m = Pattern.compile("(hit|read)=(\\d+)").matcher(buffers);
        int pages = 0;
        while (m.find()) {
            pages += Integer.parseInt(m.group(2));
        }
        assertThat(buffers, containsString("Buffers: shared"));
        return pages;
    }

    @Test
    void pagesFromTheNewestTheMiddleAndTheOldestEndAreExact() {
        timed("newest page (first request)", given().when().get("/api/rooms/{room}/messages?limit=200", ROOM));
        Response newest = timed("newest page", given().when().get("/api/rooms/{room}/messages?limit=200", ROOM));
        newest.then().statusCode(200)
                .body("messages", hasSize(200))
                .body("messages[0].id", equalTo(id(ROWS - 199)))
                .body("messages[199].id", equalTo(id(ROWS)))
                .body("complete", is(false));

        Response middle = timed("middle page", given().when().get(
                "/api/rooms/{room}/messages?before={id}&limit=3", ROOM, id(ROWS / 2)));
        middle.then().statusCode(200)
                .body("messages.message", contains("shout number 499997", "shout number 499998",
                        "shout number 499999"))
                .body("complete", is(false));

        Response oldest = timed("oldest page", given().when().get(
                "/api/rooms/{room}/messages?before={id}&limit=50", ROOM, id(3)));
        oldest.then().statusCode(200)
                .body("messages.message", contains("shout number 1", "shout number 2"))
                .body("complete", is(true));
    }

    private static Response timed(String what, Response response) {
        LOG.infof("GET %s of a %,d-shout room: %d ms over HTTP", what, ROWS, response.time());
        return response;
    }
}
