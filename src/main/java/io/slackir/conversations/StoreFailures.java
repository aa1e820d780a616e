package io.slackir.conversations;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;

import jakarta.persistence.LockTimeoutException;
import jakarta.persistence.PessimisticLockException;
import jakarta.persistence.QueryTimeoutException;

import org.hibernate.exception.JDBCConnectionException;

/** What a failed write of a batch means for its messages: try again later, try again now, or give up. */
final class StoreFailures {

    private StoreFailures() {
    }

    /**
     * A failure worth retrying: the database was unreachable, restarting, out of connections or resolving a conflict
     * between transactions. Anything else (a constraint, bad data, a bug) fails the same way the next time.
     */
    static boolean isTransient(Throwable failure) {
        return anyCause(failure, StoreFailures::isTransientItself);
    }

    /** A row with the same id is stored already: PostgreSQL's unique violation. */
    static boolean isDuplicate(Throwable failure) {
        return anyCause(failure, t -> t instanceof SQLException sql && "23505".equals(sql.getSQLState()));
    }

    /** The innermost cause, for a log line. */
    static String rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }

    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        return anyCause(failure, test, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /**
     * Looks through causes and suppressed exceptions: a connection lost at commit reaches us as Narayana's
     * RollbackException, with the driver's exception suppressed in an XAException rather than as a cause.
     */
    private static boolean anyCause(Throwable t, Predicate<Throwable> test, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (test.test(t)) {
            return true;
        }
        for (Throwable suppressed : t.getSuppressed()) {
            if (anyCause(suppressed, test, seen)) {
                return true;
            }
        }
        return anyCause(t.getCause(), test, seen);
    }

    private static boolean isTransientItself(Throwable t) {
        if (t instanceof JDBCConnectionException || t instanceof PessimisticLockException
                || t instanceof LockTimeoutException || t instanceof QueryTimeoutException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            String state = sql.getSQLState();
            if (state == null) {
                // Agroal's own "Sorry, acquisition timeout!": every connection is busy or none can be made
                return sql.getMessage() != null && sql.getMessage().contains("acquisition timeout");
            }
            return state.startsWith("08") // connection exception
                    || state.equals("40001") // serialization failure
                    || state.equals("40P01") // deadlock detected
                    || state.startsWith("57P") // admin shutdown, crash shutdown, cannot connect now
                    || state.equals("53300") // too many connections
                    || state.equals("57014"); // query canceled (statement timeout)
        }
        return false;
    }
}
