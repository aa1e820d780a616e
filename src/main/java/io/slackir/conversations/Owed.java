package io.slackir.conversations;

import java.util.concurrent.CompletableFuture;

/**
 * A shout on its way through the {@link Backlog}: its sender's future, when it was accepted (its retry deadline counts
 * from then), how many writes it has been in, and whether it must be written alone.
 */
record Owed(Message message, CompletableFuture<Void> done, long start, int attempt, boolean alone) {

    Owed again(boolean alone) {
        return new Owed(message, done, start, attempt + 1, alone);
    }

    /** Whether it may be stored already: it was in a write before (a retry, or alone after its batch failed). */
    boolean mayBeStored() {
        return attempt > 1 || alone;
    }
}
