package io.slackir;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Slackir's own settings, {@code slackir.*}: each default is what a single node wants with no tuning. */
@ConfigMapping(prefix = "slackir")
public interface SlackirConfig {

    Persistence persistence();

    Limits limits();

    Cluster cluster();

    Origins origins();

    Presence presence();

    Auth auth();

    Rooms rooms();

    Delivery delivery();

    /** Who may connect and speak: anyone ({@code open}), or the bearers of a valid JWT ({@code jwt}). */
    interface Auth {

        /**
         * {@code open}: anyone who can reach the port connects and speaks under the name they give (dev mode, a trusted
         * network). {@code jwt}: the socket's handshake and every {@code /api} call need a bearer token of the
         * deployment's identity provider, verified with the {@code mp.jwt.verify.*} settings (public key or JWKS,
         * issuer, audience); names come from the token.
         */
        @WithDefault("open")
        Mode mode();

        enum Mode {
            OPEN,
            JWT
        }

        /**
         * The claims a signed-in user's name is taken from, the first one present with a valid name: the name others
         * see and the key presence counts them under, so it should be unique per user ({@code preferred_username} is,
         * in Keycloak).
         */
        @WithDefault("preferred_username,name,sub")
        List<String> nameClaims();

        /**
         * The claim listing the private rooms a user may enter, as {@code room:NAME} entries ({@code room:ops}); an
         * entry may end with {@code *} ({@code room:team-*}, or {@code room:*} for every room).
         */
        @WithDefault("groups")
        String groupsClaim();

        /**
         * Where the page sends a signed-out user to sign in (jwt mode): the identity provider's authorization URL for
         * the implicit flow ({@code response_type=token}). The page adds {@code redirect_uri} (itself) and expects to
         * come back with {@code #access_token=...}.
         */
        Optional<String> signInUrl();
    }

    /** Which rooms are private (jwt mode): only users whose group claim names them may enter, read or write. */
    interface Rooms {

        /**
         * Room names or patterns ending with {@code *} ({@code team-*}): rooms open only to users with a matching
         * {@code room:} group. None by default: every room is open to every signed-in user.
         */
        @WithName("private")
        Optional<List<String>> privateRooms();
    }

    /** Who is in a room, across nodes: how soon members hear of a change, and how soon a dead node's are forgotten. */
    interface Presence {

        /**
         * How long changes in a room are gathered into one {@code presence_diff}: a crowd joining reaches each member
         * as a few frames, not one per join.
         */
        @WithDefault("200ms")
        Duration window();

        /** How often a node tells the others who it has in each room, even when nothing changed. */
        @WithDefault("10s")
        Duration heartbeat();

        /**
         * How long a node's members count without it saying so again: a node that died (or lost Redis) is forgotten
         * after this (and within a second of it), so within 30 s of its death. Two and a half heartbeats: one lost
         * message forgets nobody.
         */
        @WithDefault("25s")
        Duration ttl();
    }

    /** Which pages may open a socket: a guard against cross-site WebSocket hijacking, checked at the handshake. */
    interface Origins {

        /**
         * Origins allowed to open a socket besides the service's own (a browser's {@code Origin} must match the
         * {@code Host} it asks, or be listed here), e.g. {@code https://chat.example.com}. Others get 403.
         */
        Optional<List<String>> allowed();

        /** Whether a handshake without an {@code Origin} (not a browser) is refused with 403. */
        @WithDefault("false")
        boolean required();
    }

    /**
     * Several nodes behind a load balancer: each delivers its own shouts at once and fans them out to the others through
     * Redis pub/sub, one channel per room. Without {@link #redisUrl} the node is alone.
     */
    interface Cluster {

        /**
         * Redis to fan shouts out through, e.g. {@code redis://localhost:6379} (or {@code redis://:password@host:port/0}).
         * Unset: a single node, no Redis.
         */
        Optional<String> redisUrl();

        /** This node's name in what it publishes, so it skips its own shouts; a random one when unset. */
        Optional<String> nodeId();

        /**
         * What each room's channel name starts with ({@code slackir:room:lobby}): deployments sharing one Redis keep
         * apart by giving each its own.
         */
        @WithDefault("slackir:room:")
        String channelPrefix();

        /**
         * Shouts accepted here and not yet published that are kept while Redis is unreachable, and published once it is
         * back. Past it a shout is not relayed live (it is stored all the same: other nodes' clients page it).
         */
        @WithDefault("10000")
        int holdMax();

        /**
         * How long a connection joining a room waits for this node to be subscribed to the room's channel, so that it
         * misses no shout of another node; when Redis is unreachable it joins without.
         */
        @WithDefault("2s")
        Duration subscribeTimeout();

        /** The first pause before reconnecting to Redis; each next one doubles, up to {@link #reconnectMaxBackoff}. */
        @WithDefault("100ms")
        Duration reconnectBackoff();

        @WithDefault("5s")
        Duration reconnectMaxBackoff();
    }

    /** How frames are written to the connections of a room. */
    interface Delivery {

        /** The two ways frames reach a connection's socket. */
        enum Writer {
            /**
             * Encoded once per connection straight into its Netty channel, below the WebSocket encoder, in batches per
             * event loop: no frame object, promise or task per delivery. It reaches websockets-next's Vert.x socket by
             * reflection; where this Quarkus hides it, frames go through websockets-next as with the other writer.
             */
            DIRECT,
            /**
             * websockets-next's own {@code sendText}, one frame at a time per connection: slower under fan-out (see
             * bench/README.md), but nothing below its public API. For a Quarkus upgrade that breaks the direct writer.
             */
            WEBSOCKETS_NEXT
        }

        /** {@code direct} (the faster, measured) or {@code websockets-next}. */
        @WithDefault("direct")
        Writer writer();
    }

    /** What one connection may do before it hurts the others. */
    interface Limits {

        /**
         * Shouts a connection may send per second, on average (token bucket); frames of no kind of their own (not
         * JSON, an unknown type) count as shouts. Over it a frame gets {@code rate_limited}.
         */
        @WithDefault("10")
        double rate();

        /** Shouts a connection may send at once after a quiet spell: the bucket's size. */
        @WithDefault("30")
        int burst();

        /**
         * {@code typing} frames a connection may send per second, on average: a budget of their own, apart from
         * shouts. Over it they are dropped quietly (no error, but a strike); the page sends one every 3 s at most.
         */
        @WithDefault("1")
        double typingRate();

        /** {@code typing} frames a connection may send at once. */
        @WithDefault("3")
        int typingBurst();

        /**
         * Frames over their budget that a connection may pile up before it is closed (1008, flooding). Each one adds a
         * strike, whatever its kind (a typing frame over its budget too, though it is dropped without an answer);
         * they fade at {@link #rate} per second.
         */
        @WithDefault("60")
        int floodStrikes();

        /**
         * Bytes (UTF-8, as sent) of frames waiting to be written to a connection that does not read them (a stalled or
         * slow client). Over it the connection is closed (1013), so it neither grows memory nor slows its room.
         */
        @WithDefault("1M")
        MemorySize sendBuffer();

        /**
         * A connection that has sent nothing, not even a pong to the server's pings
         * ({@code quarkus.websockets-next.server.auto-ping-interval}), for this long is closed: its peer is gone.
         */
        @WithDefault("75s")
        Duration idleTimeout();
    }

    /** How accepted shouts reach PostgreSQL. */
    interface Persistence {

        /**
         * The threads that write shouts: their own pool, so a slow database never takes the threads the sockets and
         * the HTTP API run on. Keep it below the datasource's pool size ({@code quarkus.datasource.jdbc.max-size}).
         */
        @WithDefault("8")
        int threads();

        /**
         * The most shouts written in one transaction. A free writer takes whatever waits, up to this many, and never
         * waits for more: at a low rate a batch is one shout, written at once; under load batches grow and the
         * database commits far fewer transactions for the same shouts. Each shout is still acked on its own. A batch's
         * ids are looked up in one query, so keep it to a few thousand at most.
         */
        @WithDefault("500")
        int batchSize();

        /**
         * The most shouts accepted and not stored yet. At the bound a new shout is refused ({@code overloaded} over
         * the socket, 503 over HTTP) instead of growing memory without limit.
         */
        @WithDefault("10000")
        int backlogMax();

        /**
         * Readiness is DOWN while more shouts than this wait to be stored: a load balancer sends new users elsewhere.
         */
        @WithDefault("5000")
        int backlogReady();

        /**
         * How long a shout is retried through transient database failures (connection lost or refused, pool timeout,
         * serialization failure, deadlock), counted from its acceptance. Then its sender gets {@code not_stored}.
         */
        @WithDefault("60s")
        Duration retryDeadline();

        /** The first pause before a retry; each next one doubles, up to {@link #retryMaxBackoff}, with jitter. */
        @WithDefault("100ms")
        Duration retryBackoff();

        @WithDefault("5s")
        Duration retryMaxBackoff();

        /**
         * On shutdown (SIGTERM), how long to wait for the backlog to be stored before the datasource closes; at most
         * {@code quarkus.shutdown.timeout} when that is set. What is still owed then is logged, shout by shout.
         */
        @WithDefault("30s")
        Duration drainTimeout();
    }
}
