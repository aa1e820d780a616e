package io.slackir.conversations;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * A stored shout: one row of {@code messages}. Its constraints, and the limits below, are the one definition of what a
 * valid shout is: validation, the OpenAPI document, error texts and the migration's columns follow them.
 */
@Entity
@Table(name = "messages")
// Named, so Hibernate parses them once at boot: a thousand joins at once must not each parse the same query (HQL
// parsing is slow and allocates a lot while its caches are cold)
@NamedQuery(name = "Message.page", query = """
        from Message where (room, id) > (:room, :after) and (room, id) < (:room, :before)
        order by room desc, id desc""")
@NamedQuery(name = "Message.isIn", query = "select count(*) from Message where id = :id and room = :room")
public class Message extends PanacheEntityBase {

    /** The longest room name, in characters. */
    public static final int ROOM_MAX = 64;
    /** What a room name is made of: 1 to {@link #ROOM_MAX} of a-z, 0-9, - and _. */
    public static final String ROOM_RULE = "[a-z0-9_-]{1," + ROOM_MAX + "}";
    /** {@link #ROOM_RULE} in words. */
    public static final String ROOM_RULE_WORDS = "1 to " + ROOM_MAX + " characters of a-z, 0-9, - and _";
    /** What whoever broke {@link #ROOM_RULE} is told. */
    public static final String ROOM_RULE_TEXT = "must be " + ROOM_RULE_WORDS;
    /** The longest name, in characters (code points). */
    public static final int NAME_MAX = 64;
    /** The longest message, in characters (code points). */
    public static final int MESSAGE_MAX = 4000;
    /** How many shouts a page holds unless asked otherwise: the history a joining connection gets, an HTTP page. */
    public static final int PAGE_DEFAULT = 50;
    /** The most shouts one page holds: an HTTP page, a reconnect's history, the shouts a room keeps in memory. */
    public static final int PAGE_MAX = 200;

    /** Below every id: the nil UUID, never given to a shout. */
    private static final UUID NO_ID = new UUID(0, 0);
    /** Above every id. */
    private static final UUID ALL_IDS = new UUID(-1, -1);

    /** Given when the shout is accepted: a UUIDv7, so ids sort in acceptance order. */
    @Id
    public UUID id;

    @NotNull
    @Pattern(regexp = ROOM_RULE, message = ROOM_RULE_TEXT)
    @Column(nullable = false, length = ROOM_MAX)
    public String room;

    @Text(max = NAME_MAX)
    @Column(nullable = false, length = NAME_MAX)
    public String name;

    @Text(max = MESSAGE_MAX, multiline = true)
    @Column(nullable = false, length = MESSAGE_MAX)
    public String message;

    /** When the shout was accepted (the server's clock, to the microsecond), not when the row was written. */
    @NotNull
    @Column(name = "inserted_at", nullable = false)
    public Instant insertedAt;

    /** When this row was last written. */
    @NotNull
    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** An accepted shout, as it will be stored. */
    public static Message of(UUID id, String room, String name, String message, Instant insertedAt) {
        Message m = new Message();
        m.id = id;
        m.room = room;
        m.name = name;
        m.message = message;
        m.insertedAt = insertedAt;
        return m;
    }

    /** A new entity with the same shout, written now: each attempt to store a shout persists one of its own. */
    Message copy() {
        Message m = of(id, room, name, message, insertedAt);
        m.updatedAt = Instant.now();
        return m;
    }

    /**
     * The newest {@code limit} shouts of a room between {@code after} and {@code before} (either may be null: no
     * bound), oldest first.
     * <p>
     * Keyset paging on the (room, id) index, as fast on the millionth row as on the first. The bounds are row values,
     * not {@code room = ? and id < ?}: with that, PostgreSQL may walk the primary key backward instead, skipping every
     * newer shout of every other room (a quiet big room behind busy ones). A row-value range can only be read, in
     * order, from the (room, id) index, which it enters at {@code before} exactly.
     */
    public static List<Message> page(String room, UUID after, UUID before, int limit) {
        // A limit alone: Panache's page(0, n) would add "offset 0 rows"
        List<Message> newestFirst = getEntityManager().createNamedQuery("Message.page", Message.class)
                .setParameter("room", room)
                .setParameter("after", after == null ? NO_ID : after)
                .setParameter("before", before == null ? ALL_IDS : before)
                .setMaxResults(limit)
                .getResultList();
        List<Message> oldestFirst = new ArrayList<>(newestFirst);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** Which of these ids are stored: one query for a whole batch of shouts. */
    public static Set<UUID> storedAmong(Collection<UUID> ids) {
        return new HashSet<>(getEntityManager()
                .createQuery("select id from Message where id in ?1", UUID.class)
                .setParameter(1, ids)
                .getResultList());
    }

    /** Whether the shout with this id is stored, in this room. */
    public static boolean isIn(String room, UUID id) {
        return getEntityManager().createNamedQuery("Message.isIn", Long.class)
                .setParameter("id", id)
                .setParameter("room", room)
                .getSingleResult() > 0;
    }

    @Override
    public String toString() {
        return "Message[id=" + id + ", room=" + room + ", name=" + name + ", insertedAt=" + insertedAt + ", message="
                + message + "]";
    }
}
