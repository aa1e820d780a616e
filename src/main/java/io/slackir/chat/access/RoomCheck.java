package io.slackir.chat.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.slackir.conversations.Message;
import io.smallrye.mutiny.Uni;

/** Refuses the WebSocket handshake, with 400, for a room name outside {@link Message#ROOM_RULE} (every endpoint). */
@ApplicationScoped
public class RoomCheck implements HttpUpgradeCheck {

    private final Validator validator;

    RoomCheck(Validator validator) {
        this.validator = validator;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String room = context.pathParam("room");
        if (validator.validateValue(Message.class, "room", room).isEmpty()) {
            return CheckResult.permitUpgrade();
        }
        return CheckResult.rejectUpgrade(400);
    }
}
