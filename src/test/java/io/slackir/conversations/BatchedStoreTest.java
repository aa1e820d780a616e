package io.slackir.conversations;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slackir.ExpectedLog;
import io.slackir.SlackirConfig;
import io.slackir.chat.ChatClient;
import io.vertx.core.json.JsonObject;

/**
 * Shouts are written many to a transaction and still settled one by one: each is stored once and acked, a shout
 * PostgreSQL refuses fails alone, and a quiet room's shout is written at once, alone.
 */
@QuarkusTest
@Tag("contract")
class BatchedStoreTest {

    /**
     * Where the embedded PostgreSQL's own log goes: the statements it refuses on purpose here are in it, as ERROR
     * lines of the database. Taken off the console while a test provokes them; what Slackir does is what is asserted.
     */
    private static final String DATABASE_LOG = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    @TestHTTPResource("/")
    URI base;

    @Inject
    Backlog backlog;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    MeterRegistry registry;

    @Inject
    SlackirConfig config;

    @Test
    void shoutsAcceptedTogetherAreStoredInBatchesEachOnceAndEachAcked() throws Exception {
        String room = room("many");
        int count = 1000;
        double batchesBefore = batches().count();
        double shoutsBefore = batches().totalAmount();
        try (ChatClient ada = ChatClient.join(base, room)) {
            // Held back until all are accepted, so the writers find them waiting together
            try (Connection lock = holdWrites()) {
                for (int i = 0; i < count; i++) {
                    ada.shout("Ada", "shout " + i, "r" + i);
                }
                ada.await("shout", count);
                assertTrue(ada.ofType("ack").isEmpty(), "nothing is stored yet");
                lock.rollback();
            }
            List<JsonObject> acks = ada.await("ack", count);
            assertEquals(count, acks.size(), "one ack per shout");
            assertEquals(count, acks.stream().map(a -> a.getString("ref")).distinct().count());
            assertTrue(ada.ofType("error").isEmpty(), "no error: " + ada.ofType("error"));

            List<String> stored = EmbeddedDatabase.storedIds(dataSource, room);
            assertEquals(count, stored.size(), "each shout stored once");
            assertThat(stored, containsInAnyOrder(ada.ofType("shout").stream().map(f -> f.getString("id")).toArray()));
        }
        assertThat("fewer transactions than shouts", batches().count() - batchesBefore, lessThan((double) count));
        assertEquals(count, batches().totalAmount() - shoutsBefore, "each written once");
    }

    @Test
    void aShoutPostgresRefusesFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        // Beyond PostgreSQL's last timestamp (294276 AD): Bean Validation lets it through, the database refuses it
        onlyTheBadShoutOfABatchFails(room -> Message.of(UUID.randomUUID(), room, "Ada", "from the far future",
                Instant.parse("+300000-01-01T00:00:00Z")));
    }

    @Test
    void anInvalidShoutFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
        // Past Megaphone's checks by coming straight to the backlog: the persister's own validation refuses it
        onlyTheBadShoutOfABatchFails(room -> Message.of(UUID.randomUUID(), room, "Ada\u0007", "ring", now()));
    }

    private void onlyTheBadShoutOfABatchFails(Function<String, Message> badShout) throws Exception {
        String room = room("refused");
        double retriesBefore = registry.counter("slackir.shouts.store.retries").count();
        List<Message> good = new ArrayList<>();
        List<CompletionStage<Void>> goodStored = new ArrayList<>();
        CompletionStage<Void> bad;
        double batchesBefore;
        double shoutsBefore;
        try (ExpectedLog expected = ExpectedLog.of(Backlog.class.getName(), DATABASE_LOG)) {
            try (Connection lock = holdWrites()) {
                occupyEveryWriter(room, good, goodStored);
                batchesBefore = batches().count();
                shoutsBefore = batches().totalAmount();
                for (int i = 0; i < 10; i++) {
                    store(shout(room, "before " + i), good, goodStored);
                }
                bad = store(badShout.apply(room));
                for (int i = 0; i < 10; i++) {
                    store(shout(room, "after " + i), good, goodStored);
                }
                lock.rollback();
            }
            for (CompletionStage<Void> stored : goodStored) {
                await(stored);
                assertFalse(stored.toCompletableFuture().isCompletedExceptionally());
            }
            await(bad);
            assertTrue(bad.toCompletableFuture().isCompletedExceptionally(), "the bad shout is not stored");
            expected.await("WARN", Backlog.class.getName(), "A batch of 21 shouts was refused");
        }
        assertThat(EmbeddedDatabase.storedIds(dataSource, room),
                containsInAnyOrder(good.stream().map(s -> s.id.toString()).toArray()));
        assertEquals(retriesBefore, registry.counter("slackir.shouts.store.retries").count(), "a refusal is final");
        // The 21 waiting shouts went in one batch, refused as a whole, then each was written once more, alone
        assertEquals(1 + 21, batches().count() - batchesBefore, "one batch, then 21 alone");
        assertEquals(21 + 21, batches().totalAmount() - shoutsBefore);
    }

    @Test
    void aBatchWhoseShoutsArePartlyStoredAlreadyStoresOnlyTheOthers() throws Exception {
        String room = room("again");
        // As if a commit succeeded but its answer was lost: these rows are there when the batch is written again
        List<Message> storedBefore = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            storedBefore.add(shout(room, "already " + i));
        }
        for (Message shout : storedBefore) {
            await(store(shout));
        }
        List<Message> all = new ArrayList<>();
        List<CompletionStage<Void>> stored = new ArrayList<>();
        // The database refuses the batch for the rows it has, and says so in its own log
        try (ExpectedLog refused = ExpectedLog.of(DATABASE_LOG)) {
            try (Connection lock = holdWrites()) {
                occupyEveryWriter(room, all, stored);
                for (int i = 0; i < 5; i++) {
                    store(shout(room, "new " + i), all, stored);
                    store(storedBefore.get(i), all, stored);
                }
                lock.rollback();
            }
            for (CompletionStage<Void> done : stored) {
                await(done);
                assertFalse(done.toCompletableFuture().isCompletedExceptionally());
            }
        }
        List<String> rows = EmbeddedDatabase.storedIds(dataSource, room);
        assertEquals(all.size(), rows.size(), "no shout stored twice");
        assertThat(rows, containsInAnyOrder(all.stream().map(s -> s.id.toString()).toArray()));
    }

    @Test
    void aShoutMeetingItsOwnRowOnItsFirstWriteIsWrittenAgainAsARetryAndStoredOnce() throws Exception {
        // Ids are fresh, so only a retry should find its row; a first write that does (alone, in a quiet moment, where
        // no lookup is made) must not fail the shout
        String room = room("met");
        Message shout = shout(room, "twice");
        await(store(shout));
        Awaitility.await().until(() -> backlog.size() == 0);
        double retriesBefore = registry.counter("slackir.shouts.store.retries").count();
        try (ExpectedLog refused = ExpectedLog.of(DATABASE_LOG)) {
            CompletionStage<Void> again = store(shout);
            await(again);
            assertFalse(again.toCompletableFuture().isCompletedExceptionally(), "stored, as it is");
        }
        assertEquals(List.of(shout.id.toString()), EmbeddedDatabase.storedIds(dataSource, room), "once");
        assertEquals(retriesBefore + 1, registry.counter("slackir.shouts.store.retries").count(), "written again once");
    }

    @Test
    void aShoutInAQuietMomentIsWrittenAtOnceAlone() {
        String room = room("quiet");
        Awaitility.await().until(() -> backlog.size() == 0);
        double batchesBefore = batches().count();
        double shoutsBefore = batches().totalAmount();
        try (ChatClient ada = ChatClient.join(base, room)) {
            ada.shout("Ada", "anyone?", "q").awaitAck("q");
        }
        assertEquals(1, batches().count() - batchesBefore, "one transaction");
        assertEquals(1, batches().totalAmount() - shoutsBefore, "of one shout: no writer waits for a batch to fill");
    }

    private DistributionSummary batches() {
        return registry.get("slackir.shouts.store.batch").summary();
    }

    /** SHARE mode blocks inserts, not reads: a writer blocks at its first insert until the lock's rollback. */
    private Connection holdWrites() throws SQLException {
        Connection db = dataSource.getConnection();
        db.setAutoCommit(false);
        try (Statement statement = db.createStatement()) {
            statement.execute("lock table messages in share mode");
        }
        return db;
    }

    /**
     * One shout for each writer, each blocked at its insert: what is stored next waits, and goes in one batch. Starts
     * when every writer is free (one an earlier write has not quite let go would take two of these in one batch) and
     * ends when each has its shout (none may be free to take what comes next).
     */
    private void occupyEveryWriter(String room, List<Message> shouts, List<CompletionStage<Void>> stored) {
        int writers = config.persistence().threads();
        Awaitility.await().atMost(ChatClient.PATIENCE).until(() -> backlog.writersBusy() == 0 && backlog.nothingWaits());
        for (int i = 0; i < writers; i++) {
            store(shout(room, "first " + i), shouts, stored);
        }
        Awaitility.await().atMost(ChatClient.PATIENCE)
                .until(() -> backlog.writersBusy() == writers && backlog.nothingWaits());
    }

    private void store(Message shout, List<Message> shouts, List<CompletionStage<Void>> stored) {
        shouts.add(shout);
        stored.add(store(shout));
    }

    /** As Megaphone does: a place in the backlog, then the shout. */
    private CompletionStage<Void> store(Message shout) {
        assertTrue(backlog.admit(), "the backlog has room");
        return backlog.store(shout);
    }

    private static void await(CompletionStage<Void> stored) {
        CompletableFuture<Void> future = stored.toCompletableFuture();
        Awaitility.await().atMost(ChatClient.PATIENCE).until(future::isDone);
    }

    private static Message shout(String room, String message) {
        return Message.of(UUID.randomUUID(), room, "Ada", message, now());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static String room(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
