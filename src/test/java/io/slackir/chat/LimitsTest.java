package io.slackir.chat;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.slackir.conversations.Message;

/**
 * Every limit is defined once, in code; what cannot use the constant (the docs, the page, the migration) is checked
 * against it here, so a change of one number shows everywhere it is written.
 */
class LimitsTest {

    private static String read(String file) throws IOException {
        return Files.readString(Path.of(file));
    }

    private static void says(String file, String text) throws IOException {
        assertTrue(read(file).contains(text), file + " says: " + text);
    }

    @Test
    void protocolStatesTheLimitsTheCodeDefines() throws IOException {
        String protocol = "docs/protocol.md";
        says(protocol, "| room name | `" + Message.ROOM_RULE + "` | `Message.ROOM_RULE` |");
        says(protocol, "| `name` | at most " + Message.NAME_MAX + " characters | `Message.NAME_MAX` |");
        says(protocol, "| `message` | at most " + Message.MESSAGE_MAX + " characters | `Message.MESSAGE_MAX` |");
        says(protocol, "| `ref` | at most " + ChatSocket.REF_MAX + " characters | `ChatSocket.REF_MAX` |");
        says(protocol, "| a text frame that is read | at most " + ChatSocket.FRAME_MAX + " characters |");
        says(protocol, "| `history` on join | the latest " + History.LATEST + " shouts |");
        says(protocol, "| `history` after `?after=ID`, and a room's memory | at most " + History.AFTER_MAX + " shouts |");
        says(protocol, "| an HTTP page | `limit` 1 to " + Message.PAGE_MAX + ", " + Message.PAGE_DEFAULT + " by default |");
        says(protocol, "1–" + Message.ROOM_MAX + " of `a-z 0-9 - _`");
        says(protocol, "the room's latest " + History.LATEST + " shouts");
        says(protocol, "limit={1.." + Message.PAGE_MAX + "}");
    }

    @Test
    void pageAndMigrationUseTheSameLimits() throws IOException {
        String page = "src/main/resources/META-INF/resources/";
        says(page + "index.html", "maxlength=\"" + Message.ROOM_MAX + "\" pattern=\"[a-z0-9_\\-]{1," + Message.ROOM_MAX
                + "}\"");
        says(page + "index.html", "id=\"name\" name=\"name\" maxlength=\"" + Message.NAME_MAX + "\"");
        says(page + "index.html", "maxlength=\"" + Message.MESSAGE_MAX + "\"");
        says(page + "app.js", "const ROOM_RULE = /^" + Message.ROOM_RULE + "$/;");
        says(page + "app.js", "&limit=" + Message.PAGE_MAX + "`");
        String migration = "src/main/resources/db/migration/V1__create_messages.sql";
        says(migration, "room        varchar(" + Message.ROOM_MAX + ")   not null check (room ~ '^" + Message.ROOM_RULE
                + "$')");
        says(migration, "name        varchar(" + Message.NAME_MAX + ")");
        says(migration, "message     varchar(" + Message.MESSAGE_MAX + ")");
    }
}
