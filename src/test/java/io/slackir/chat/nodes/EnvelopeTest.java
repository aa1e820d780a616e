package io.slackir.chat.nodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.slackir.JsonOutput;
import io.slackir.chat.presence.NodePresence;
import io.slackir.chat.protocol.Frames;
import io.slackir.chat.protocol.RoomEvent;
import io.slackir.chat.protocol.Shout;
import io.slackir.chat.protocol.Typing;

/** How a room event crosses between nodes ({@link Envelope}): what one wraps, another opens; anything else fails. */
class EnvelopeTest {

    /** Quarkus's ObjectMapper as the service has it: its modules, its defaults, and Slackir's customizer. */
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static {
        new JsonOutput().customize(JSON);
    }

    /** The shout of docs/protocol.md. */
    private static final Shout SHOUT = new Shout(UUID.fromString("01a21068-e03d-7867-9437-b6a8493a18ab"), "lobby",
            "Ada", "Hello, lobby 👋", Instant.parse("2026-11-25T01:53:58.333550Z"));

    private final Envelope here = new Envelope("n1", JSON);
    private final Envelope there = new Envelope("n2", JSON);

    /** What {@code from} publishes for {@code event}, as Redis hands it to the others. */
    private static byte[] published(Envelope from, RoomEvent event) {
        return from.wrap(event, Frames.bytes(JSON, event.frame())).getBytes();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theTestsMapperWritesFramesAsTheProtocolSays() {
        assertEquals("""
                {"type":"shout","id":"01a21068-e03d-7867-9437-b6a8493a18ab","room":"lobby","name":"Ada",\
                "message":"Hello, lobby 👋","insertedAt":"2026-11-25T01:53:58.333550Z"}""",
                Frames.write(JSON, SHOUT.frame()));
    }

    @Test
    void aShoutCrossesWithItsFrameBytesUnchanged() {
        byte[] frame = Frames.bytes(JSON, SHOUT.frame());
        byte[] payload = here.wrap(SHOUT, frame).getBytes();

        assertEquals("n1\nshout\n" + new String(frame, StandardCharsets.UTF_8),
                new String(payload, StandardCharsets.UTF_8));
        Envelope.Received received = there.open("lobby", payload);

        assertEquals(SHOUT, received.event(), "rebuilt to be remembered there too");
        assertArrayEquals(frame, received.frame(), "the very bytes this node's own connections got");
    }

    @Test
    void aNodesPresenceCrossesAsItsSendersPart() {
        NodePresence part = new NodePresence("lobby", "n1",
                List.of(new NodePresence.Entry("ada", "Ada", 2, Instant.parse("2026-12-04T14:00:00.123Z"))), 1, true);

        Envelope.Received received = there.open("lobby", published(here, part));

        assertEquals(part, received.event(), "the node named in the header, not one in the frame");
    }

    @Test
    void anotherEphemeralIsPassedOnAsItCame() {
        Typing typing = new Typing("lobby", "Ada", "connection-1");
        byte[] frame = Frames.bytes(JSON, typing.frame());

        Envelope.Received received = there.open("lobby", here.wrap(typing, frame).getBytes());

        Envelope.Relayed relayed = assertInstanceOf(Envelope.Relayed.class, received.event());
        assertEquals("lobby", relayed.room());
        assertEquals(Typing.TYPE, relayed.type());
        assertArrayEquals(frame, relayed.bytes());
        assertArrayEquals(frame, received.frame());
        assertEquals("{\"type\":\"typing\",\"name\":\"Ada\"}", Frames.write(JSON, relayed.frame()),
                "written as it came, not as a string of JSON");
    }

    @Test
    void aNodesOwnMessageIsSkipped() {
        assertNull(here.open("lobby", published(here, SHOUT)));
        assertNotNull(new Envelope("n10", JSON).open("lobby", published(here, SHOUT)),
                "a node whose id starts like this one's is another node");
        assertNotNull(here.open("lobby", published(new Envelope("n10", JSON), SHOUT)));
    }

    @Test
    void theLegacyFormIsReadAsAShout() {
        byte[] frame = Frames.bytes(JSON, SHOUT.frame());
        byte[] payload = bytes("n2\n" + new String(frame, StandardCharsets.UTF_8));

        Envelope.Received received = here.open("lobby", payload);

        assertEquals(SHOUT, received.event());
        assertArrayEquals(frame, received.frame());
    }

    @Test
    void aPayloadWithoutANodeIdWithinTheHeaderLimitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> here.open("lobby", bytes("")));
        assertThrows(IllegalArgumentException.class, () -> here.open("lobby", bytes("n2 without a newline")));
        assertThrows(IllegalArgumentException.class,
                () -> here.open("lobby", bytes("n".repeat(300) + "\nshout\n" + Frames.write(JSON, SHOUT.frame()))));
    }

    @Test
    void aShoutOfAnotherRoomIsRefused() {
        byte[] payload = published(there, SHOUT);

        assertThrows(IllegalArgumentException.class, () -> here.open("kitchen", payload));
    }

    @Test
    void aShoutWithoutAnIdIsRefused() {
        Shout noId = new Shout(null, "lobby", "Ada", "Hi", SHOUT.insertedAt());

        assertThrows(IllegalArgumentException.class, () -> here.open("lobby", published(there, noId)));
        assertThrows(IllegalArgumentException.class, () -> here.open("lobby", bytes("n2\nshout\nnot json")));
    }

    @Test
    void aTypeThatIsNotAPlainLowerCaseWordIsRefused() {
        for (String type : List.of("Typing", "typ-ing", "_typing", "1typing", "t" + "y".repeat(32), "")) {
            byte[] payload = bytes("n2\n" + type + "\n{\"type\":\"typing\",\"name\":\"Ada\"}");
            assertThrows(IllegalArgumentException.class, () -> here.open("lobby", payload), type);
        }
        assertNotNull(here.open("lobby", bytes("n2\nt" + "y".repeat(31) + "\n{}")), "32 characters are a type");
    }

    @Test
    void aFrameThatIsNotAnObjectIsRefused() {
        for (String frame : List.of("", "[1]", "\"typing\"", "42", " {}")) {
            byte[] payload = bytes("n2\ntyping\n" + frame);
            assertThrows(IllegalArgumentException.class, () -> here.open("lobby", payload), frame);
        }
    }

    @Test
    void anIncompletePresenceIsRefused() {
        String since = "\"since\":\"2026-12-04T14:00:00Z\"";
        for (String frame : List.of(
                "{\"type\":\"presence_node\",\"room\":\"lobby\",\"unnamed\":0}",
                "{\"type\":\"presence_node\",\"room\":\"kitchen\",\"members\":[],\"unnamed\":0}",
                "{\"type\":\"presence_node\",\"room\":\"lobby\",\"members\":[],\"unnamed\":-1}",
                "{\"room\":\"lobby\",\"members\":[{\"name\":\"Ada\",\"connections\":1," + since + "}],\"unnamed\":0}",
                "{\"room\":\"lobby\",\"members\":[{\"key\":\"ada\",\"connections\":1," + since + "}],\"unnamed\":0}",
                "{\"room\":\"lobby\",\"members\":[{\"key\":\"ada\",\"name\":\"Ada\",\"connections\":1}],\"unnamed\":0}",
                "{\"room\":\"lobby\",\"members\":[{\"key\":\"ada\",\"name\":\"Ada\",\"connections\":0," + since
                        + "}],\"unnamed\":0}",
                "{\"room\":\"lobby\",\"members\":[{\"key\":\"ada\",\"name\":\"Ada\",\"connections\":1,"
                        + "\"since\":\"yesterday\"}],\"unnamed\":0}",
                "not json")) {
            byte[] payload = bytes("n2\npresence_node\n" + frame);
            assertThrows(IllegalArgumentException.class, () -> here.open("lobby", payload), frame);
        }
        NodePresence complete = (NodePresence) here.open("lobby", bytes("n2\npresence_node\n{\"room\":\"lobby\","
                + "\"members\":[{\"key\":\"ada\",\"name\":\"Ada\",\"connections\":1," + since + "}],\"unnamed\":0}"))
                .event();
        assertEquals(new NodePresence("lobby", "n2",
                List.of(new NodePresence.Entry("ada", "Ada", 1, Instant.parse("2026-12-04T14:00:00Z"))), 0, false),
                complete, "the same frame with every field is a node's part");
    }
}
