package io.slackir.conversations;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.concurrent.CompletionException;

import javax.transaction.xa.XAException;

import jakarta.transaction.RollbackException;

import org.junit.jupiter.api.Test;

/** Which failures of a write are worth retrying, in the shapes they reach {@link Backlog} in ({@link StoreFailures}). */
class StoreFailuresTest {

    /** A failed commit as Narayana reports it: the driver's exception suppressed in an XAException, not a cause. */
    private static Throwable failedCommit(String sqlState) {
        XAException xa = new XAException("Error trying to transactionCommit local transaction");
        xa.initCause(new SQLException("from the driver", sqlState));
        RollbackException rollback = new RollbackException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        return new CompletionException(new RuntimeException("Error invoking subclass method", rollback));
    }

    @Test
    void connectionLostAtCommitIsRetried() {
        assertTrue(StoreFailures.isTransient(failedCommit("57P01")), "terminating connection due to administrator command");
        assertTrue(StoreFailures.isTransient(failedCommit("08006")), "connection failure");
    }

    @Test
    void dataRefusedAtCommitIsNot() {
        assertFalse(StoreFailures.isTransient(failedCommit("23514")), "check constraint");
        assertFalse(StoreFailures.isTransient(new CompletionException(new IllegalStateException("a bug"))));
    }

    @Test
    void causesAreFollowedAsBefore() {
        assertTrue(StoreFailures.isTransient(new RuntimeException(new SQLException("refused", "08001"))));
        assertTrue(StoreFailures.isTransient(new SQLException("Sorry, acquisition timeout!")));
    }
}
